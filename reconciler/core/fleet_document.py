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
