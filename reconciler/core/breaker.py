"""When to stop making calls: after an answer that dooms every call, or after the same failure
repeats on one kind of call.

A 401 means the API key (or the account it names) is wrong: every call after it would fail
the same way, so none is attempted. Otherwise, once ``limit`` calls of one action have failed
with the same status, code and message (every client 404, say), the rest of that action is
not attempted; other actions go on. Pure bookkeeping: the apply asks before each call.
"""

from __future__ import annotations

from collections import Counter

from reconciler.core.plan import Action, Call
from reconciler.errors import ApiError

SAME_FAILURE_LIMIT = 3
"""Identical failures of one action after which the rest of that action is not attempted."""
FATAL_STATUSES = frozenset({401})
API_KEY_HINT = (
    "check INVOICEXPRESS_API_KEY, and the account it belongs to "
    "(INVOICEXPRESS_ACCOUNT or INVOICEXPRESS_BASE_URL)"
)


class Breaker:
    """Remembers failures and says which calls are no longer worth attempting."""

    def __init__(self, limit: int = SAME_FAILURE_LIMIT) -> None:
        self._limit = limit
        self._fatal: str | None = None
        self._seen: Counter[tuple[Action, int, str, str]] = Counter()
        self._tripped: dict[Action, str] = {}

    def refusal(self, call: Call) -> str | None:
        """Why ``call`` is not attempted, or None to go ahead."""
        return self._fatal or self._tripped.get(call.action)

    def failed(self, call: Call, error: ApiError) -> None:
        """Take note of a failed call."""
        if error.status in FATAL_STATUSES:
            self._fatal = self._fatal or (
                f"the API refused the API key (HTTP {error.status}: {error.message}); "
                f"{API_KEY_HINT}"
            )
            return
        kind = (call.action, error.status, error.code or "", error.message)
        self._seen[kind] += 1
        if self._seen[kind] >= self._limit and call.action not in self._tripped:
            status = f"HTTP {error.status}" if error.status else "no answer"
            self._tripped[call.action] = (
                f"{self._limit} {call.action} calls failed the same way ({status}: {error.message})"
            )
