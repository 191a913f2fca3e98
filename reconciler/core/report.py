"""What an apply did: every call's outcome, and the known state it produced."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from reconciler.core.known import KnownState
from reconciler.core.plan import Call

if TYPE_CHECKING:  # only an apply's client paces its requests
    from reconciler.core.pacing import PaceSummary


class Status(StrEnum):
    """How one call of an apply ended."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_ATTEMPTED = "not attempted"
    """Left out once an earlier failure showed it would fail too (``core.breaker``)."""


@dataclass(frozen=True)
class Outcome:
    """One call's end: its status and a short detail (the API's message, or why skipped)."""

    call: Call
    status: Status
    detail: str = ""
    cause: str = ""
    """A failure's cause without the call (``HTTP 401: ...``): failures alike share it."""


@dataclass(frozen=True)
class ApplyReport:
    """Every call's outcome, in plan order, and the known state after the apply."""

    # Left out of the repr: with thousands of calls it is slow, and asyncio.run shows its result.
    outcomes: tuple[Outcome, ...] = field(repr=False)
    state: KnownState = field(repr=False)
    forgotten: tuple[str, ...] = ()
    """Records dropped because the desired state no longer declares their resources."""
    pace: PaceSummary | None = None
    """The request rate the client settled at, when it had a limit."""

    def with_status(self, status: Status) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.status is status)

    @property
    def ok(self) -> bool:
        return all(o.status is Status.SUCCEEDED for o in self.outcomes)

    def not_attempted(self) -> dict[str, int]:
        """Why calls were not attempted, each reason with how many calls it held back."""
        reasons: dict[str, int] = {}
        for outcome in self.with_status(Status.NOT_ATTEMPTED):
            reasons[outcome.detail] = reasons.get(outcome.detail, 0) + 1
        return reasons


OutcomeListener = Callable[[Outcome], None]
"""Told of each call's outcome as it ends (progress output)."""
