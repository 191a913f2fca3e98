"""A per-key sliding-window rate limit, as the API's "requests per minute per account"."""

from __future__ import annotations

import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0
DEFAULT_LIMIT = 780


def parse_rate_limit(text: str) -> int:
    """``"780"`` or ``"780/min"`` → 780; ``"0"`` turns the limit off."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:/\s*min)?\s*", text)
    if match is None:
        raise ValueError(f"rate limit {text!r} is not N or N/min (e.g. 780/min; 0 turns it off)")
    return int(match.group(1))


class RateLimiter:
    """At most ``limit`` admitted requests per key in any ``window`` seconds (60: the API's
    minute; tests may shorten it); 0 means no limit."""

    def __init__(
        self,
        limit: int,
        clock: Callable[[], float] = time.monotonic,
        window: float = WINDOW_SECONDS,
    ) -> None:
        if limit < 0:
            raise ValueError("the rate limit must be 0 (off) or a positive number per minute")
        if not window > 0:
            raise ValueError("the rate limit's window must be a positive number of seconds")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._admitted: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, key: str) -> int | None:
        """``None`` if the request is admitted, else whole seconds (≥ 1) until a slot frees."""
        limit = self.limit
        if limit <= 0:
            return None
        now = self._clock()
        with self._lock:
            times = self._admitted.setdefault(key, deque())
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) < limit:
                times.append(now)
                return None
            # The slot that frees first is that of the (len - limit + 1)-th oldest request; after
            # the limit is lowered at runtime more than one may have to expire.
            frees_at = times[len(times) - limit] + self.window
            return max(1, math.ceil(frees_at - now))
