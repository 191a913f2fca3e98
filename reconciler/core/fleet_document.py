"""A fleet's plan as a plain JSON-ready document, described by
``schema/fleet-plan.schema.json``: per account, its plan document (each call naming the
account) or the error that ended it, or that it was not attempted (the fleet stopped first)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.core.plan import Plan
from reconciler.core.plan_document import plan_document

FLEET_FORMAT_VERSION = 1


@dataclass(frozen=True)
class FleetEntry:
    """One account of a fleet's plan: its plan, or the error (already redacted) that ended it,
    or neither when the fleet stopped before the account was started (``attempted`` false)."""

    account: str
    file: str
    plan: Plan | None
    error: str | None = None
    attempted: bool = True


def fleet_document(entries: Sequence[FleetEntry]) -> dict[str, Any]:
    """The fleet's plans, account by account, with a summary of the whole fleet."""
    accounts = []
    for entry in entries:
        plan = None
        if entry.plan is not None:
            plan = plan_document(entry.plan)
            plan["calls"] = [{"account": entry.account, **call} for call in plan["calls"]]
        accounts.append(
            {
                "account": entry.account,
                "file": entry.file,
                "attempted": entry.attempted,
                "error": entry.error,
                "plan": plan,
            }
        )
    planned = [entry.plan for entry in entries if entry.plan is not None]
    skipped = sum(1 for entry in entries if not entry.attempted)
    return {
        "fleet_format_version": FLEET_FORMAT_VERSION,
        "accounts": accounts,
        "summary": {
            "accounts": len(entries),
            "failed": len(entries) - len(planned) - skipped,
            "not_attempted": skipped,
            "with_changes": sum(1 for plan in planned if not plan.is_empty),
            "calls": sum(len(plan.calls) for plan in planned),
        },
    }


def account_document(entry: FleetEntry) -> dict[str, Any]:
    """One account's object of the fleet document, exactly as ``fleet_document`` gives it."""
    plan = None
    if entry.plan is not None:
        plan = plan_document(entry.plan)
        plan["calls"] = [{"account": entry.account, **call} for call in plan["calls"]]
    return {
        "account": entry.account,
        "file": entry.file,
        "attempted": entry.attempted,
        "error": entry.error,
        "plan": plan,
    }


@dataclass
class FleetCounts:
    """What a fleet document's summary counts, gathered account by account as each ends."""

    accounts: int = 0
    failed: int = 0
    not_attempted: int = 0
    with_changes: int = 0
    calls: int = 0

    def add(self, entry: FleetEntry) -> None:
        """Count one account (its plan may be dropped afterwards)."""
        self.accounts += 1
        if not entry.attempted:
            self.not_attempted += 1
        elif entry.plan is None:
            self.failed += 1
        else:
            self.with_changes += not entry.plan.is_empty
            self.calls += len(entry.plan.calls)

    def summary(self) -> dict[str, int]:
        """The fleet document's ``summary``."""
        return {
            "accounts": self.accounts,
            "failed": self.failed,
            "not_attempted": self.not_attempted,
            "with_changes": self.with_changes,
            "calls": self.calls,
        }
