"""The request rate a client keeps, learned from the server's 429s (AIMD); pure, no clock.

The pace starts at the configured rate (the ceiling) and never goes above it. A 429 on a
request sent since the last cut lowers it once per burst (the 429s of requests sent before the
cut are the same burst): to ``backoff`` times the smaller of the current rate and the requests
the server admitted in the window ending now (a sliding window that refuses holds exactly its
limit), and never below ``floor``. Every full window of clean
answers since the last change raises it by ``growth`` (a fraction), up to the ceiling again.
Sending waits until ``resume_at``, when the last Retry-After ends.

Times are seconds on any monotonic clock, given by the caller; rates are requests per window.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

BACKOFF = 0.85
GROWTH = 0.02


@dataclass(frozen=True)
class PaceSummary:
    """What a run's pace came to: the configured and the final rate, per minute, and how many
    answers were 429."""

    configured_per_minute: float
    settled_per_minute: float
    throttled: int

    def note(self) -> str | None:
        """A line for the user when the pace had to change; ``None`` when it never did."""
        if not self.throttled:
            return None
        times = "time" if self.throttled == 1 else "times"
        return (
            f"the API answered 429 (too many requests) {self.throttled} {times}; the rate "
            f"settled at {self.settled_per_minute:.0f}/min (configured "
            f"{self.configured_per_minute:.0f}/min, RECONCILER_RATE_LIMIT)"
        )


@dataclass
class Pacing:
    """The adaptive pace of one client; ``rate`` is what it may send per ``window`` now."""

    ceiling: float
    window: float = 60.0
    backoff: float = BACKOFF
    growth: float = GROWTH
    floor: float = 1.0
    rate: float = field(init=False)
    cuts: int = field(default=0, init=False)
    throttled: int = field(default=0, init=False)
    resume_at: float = field(default=0.0, init=False)
    _changed_at: float | None = field(default=None, init=False)
    _admitted: deque[float] = field(default_factory=deque, init=False)

    def __post_init__(self) -> None:
        if self.ceiling <= 0 or self.window <= 0:
            raise ValueError("a pace needs a positive rate and window")
        if not 0 < self.backoff < 1 or self.growth < 0:
            raise ValueError("backoff is a fraction below 1 and growth is not negative")
        self.floor = min(self.floor, self.ceiling)
        self.rate = self.ceiling

    @property
    def per_minute(self) -> float:
        """The current rate, in requests per minute."""
        return self.rate * 60 / self.window

    def summary(self) -> PaceSummary:
        return PaceSummary(self.ceiling * 60 / self.window, self.per_minute, self.throttled)

    @property
    def generation(self) -> int:
        """Tag a request with this when it is sent; give it back with its answer."""
        return self.cuts

    def answered(self, now: float) -> bool:
        """A request was answered (not 429). True when this raised the rate."""
        if self._changed_at is None:
            self._changed_at = now
        self._admitted.append(now)
        self._forget(now - 2 * self.window)
        if now - self._changed_at < self.window or self.rate >= self.ceiling:
            return False
        self.rate = min(self.ceiling, self.rate * (1 + self.growth))
        self._changed_at = now
        return True

    def refused(self, now: float, sent_in: int, retry_after: float | None) -> bool:
        """A request tagged ``sent_in`` was answered 429. True when this lowered the rate."""
        self.throttled += 1
        wait = retry_after if retry_after is not None and retry_after > 0 else 1.0
        self.resume_at = max(self.resume_at, now + wait)
        if sent_in < self.cuts:
            return False  # part of a burst already acted on
        # A sliding window that refuses at ``now`` holds its limit in the window ending now.
        admitted = sum(1 for at in self._admitted if at > now - self.window)
        self.rate = max(self.floor, self.backoff * min(self.rate, admitted))
        self.cuts += 1
        self._changed_at = now
        return True

    def _forget(self, before: float) -> None:
        while self._admitted and self._admitted[0] < before:
            self._admitted.popleft()
