"""The request rate a client keeps, learned from the server's 429s; pure, no clock.

The pace starts at the configured rate (the ceiling) and never goes above it. Every 429 is
waited out: sending stops until ``resume_at``, when its Retry-After (one second without one)
ends. The 429s of requests sent before the client reacted to one belong to the same burst and
change nothing else. The first 429 of a burst means one of three things:

- **The window is full**: a Retry-After longer than ``short_pause`` that ends no earlier than
  the oldest request admitted in the window ending now leaves it (as a sliding window that
  refuses holds exactly its limit), at least one request having been admitted. The limit is
  what the server admitted in that window: the answers received in it, and the successes still
  to come of requests sent before the 429.
  The pace resumes at that rate and keeps it for the rest of the run: it is what the server
  admits, so no further 429 comes from the same cause.
- **A pause**: a short Retry-After (or none) after a clean answer is waited out; the rate is
  kept.
- **A pause that did not help**: a 429 before any request sent since the last one was answered
  cleanly. The rate drops to what the server admitted in the window ending now (at most half
  the rate), and climbs back to the rate before the cut in equal steps, one per clean
  ``interval``, within ``recovery`` seconds. Without a Retry-After the window is taken as full
  (the pause lasts until its oldest request leaves it).

Times are seconds on any monotonic clock, given by the caller; rates are requests per window.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from enum import Enum

SHORT_PAUSE = 1.0
"""A Retry-After of at most this many seconds is a pause, never a ceiling."""
RECOVERY = 30.0
"""Seconds in which a rate cut by a pause that did not help climbs back."""
INTERVAL = 1.0
"""A clean interval: each one climbs one step back towards the rate before a cut."""
DEFAULT_PAUSE = 1.0
"""The pause after a 429 without a Retry-After."""


class Reaction(Enum):
    """What a 429 changed."""

    SAME_BURST = "same burst"
    PAUSE = "pause"
    CUT = "cut"
    WINDOW = "window"


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
    floor: float = 1.0
    short_pause: float = SHORT_PAUSE
    recovery: float = RECOVERY
    interval: float = INTERVAL
    rate: float = field(init=False)
    limit: float = field(init=False)
    """What the server was seen to admit per window (the ceiling until a window was full)."""
    target: float = field(init=False)
    """The rate a cut climbs back to."""
    throttled: int = field(default=0, init=False)
    resume_at: float = field(default=0.0, init=False)
    _generation: int = field(default=0, init=False)
    _changed_at: float | None = field(default=None, init=False)
    _step: float = field(default=0.0, init=False)
    _clean: bool = field(default=True, init=False)
    _counting: bool = field(default=False, init=False)
    _admitted: deque[float] = field(default_factory=deque, init=False)

    def __post_init__(self) -> None:
        if self.ceiling <= 0 or self.window <= 0:
            raise ValueError("a pace needs a positive rate and window")
        if self.recovery <= 0 or self.interval <= 0:
            raise ValueError("recovery and interval are positive numbers of seconds")
        self.floor = min(self.floor, self.ceiling)
        self.rate = self.limit = self.target = self.ceiling

    @property
    def per_minute(self) -> float:
        """The current rate, in requests per minute."""
        return self.rate * 60 / self.window

    def summary(self) -> PaceSummary:
        return PaceSummary(self.ceiling * 60 / self.window, self.per_minute, self.throttled)

    @property
    def generation(self) -> int:
        """Tag a request with this when it is sent; give it back with its answer."""
        return self._generation

    def answered(self, now: float, sent_in: int) -> bool:
        """A request tagged ``sent_in`` was answered (not 429). True when this raised the rate."""
        self._admitted.append(now)
        self._forget(now - self.window)
        if sent_in < self._generation:
            # Sent before the last 429 and admitted: it was in that window too.
            return self._counting and self._set_all(self.limit + 1)
        self._clean = True
        return self.climb(now)

    def refused(self, now: float, sent_in: int, retry_after: float | None) -> Reaction:
        """A request tagged ``sent_in`` was answered 429 at ``now``."""
        self.throttled += 1
        given = retry_after is not None and retry_after > 0
        pause = retry_after if retry_after is not None and given else DEFAULT_PAUSE
        self.resume_at = max(self.resume_at, now + pause)
        if sent_in < self._generation:
            return Reaction.SAME_BURST
        self._generation += 1
        self._changed_at = now
        self._counting = False
        clean, self._clean = self._clean, False
        self._forget(now - self.window)
        admitted = len(self._admitted)
        oldest_leaves = self._admitted[0] + self.window if self._admitted else now + self.window
        full = admitted > 0 and now + pause + self.short_pause >= oldest_leaves
        if given and pause > self.short_pause and full:
            return self._window_full(admitted)
        if clean:
            return Reaction.PAUSE
        if not given:
            self.resume_at = max(self.resume_at, oldest_leaves)
            return self._window_full(admitted)
        previous = self.rate
        self.rate = max(self.floor, min(admitted, previous / 2))
        self.target = max(self.target, previous)
        self._step = (self.target - self.rate) * self.interval / self.recovery
        return Reaction.CUT

    def _window_full(self, admitted: int) -> Reaction:
        self._counting = True
        self._set_all(admitted)
        return Reaction.WINDOW

    def _set_all(self, limit: float) -> bool:
        """Limit, target and rate at ``limit`` (within floor and ceiling); True when raised."""
        before = self.rate
        self.limit = self.target = self.rate = max(self.floor, min(self.ceiling, limit))
        return self.rate > before

    def climb(self, now: float) -> bool:
        """Climb one step per clean interval since the last change, while below the target
        (the sender asks while it waits, so that a low rate needs no answer to climb). True
        when this raised the rate."""
        if self.rate >= self.target or self._changed_at is None:
            return False
        steps = math.floor((now - self._changed_at) / self.interval)
        if steps <= 0:
            return False
        self.rate = min(self.target, self.rate + steps * self._step)
        self._changed_at += steps * self.interval
        return True

    def _forget(self, before: float) -> None:
        while self._admitted and self._admitted[0] <= before:
            self._admitted.popleft()
