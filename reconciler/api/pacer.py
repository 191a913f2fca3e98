"""Waiting for the pace: a leaky bucket whose rate follows ``core.pacing.Pacing``.

The bucket holds one second's worth of requests and drains the rest of the window's rate, so
that any ``window`` seconds hold at most ``rate`` requests; it waits out a Retry-After for every
request, not only the one that received it. When the rate is cut, what the bucket holds is cut
to the new capacity, so that a lower rate never leaves a backlog to drain before the next send.

A request that waits for the bucket wakes on the next tick of the clock (a multiple of the
window over ``TICKS_PER_WINDOW``: a second of the API's minute), not the instant its slot
opens (a Retry-After's pause ends when it ends): the requests due within one tick go together,
and the clients of a process paced alike wake at the same instants. Woken once a tick instead
of once a request, a process spends less than half the CPU per call at the API's pace
(``benchmarks/RESULTS.md``). Where a whole tick would let the bucket drain empty meanwhile the
step is a fraction of it, so the rounding costs no throughput: each request goes at most one
tick later than it would without it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable

from reconciler.core.pacing import Pacing, Reaction

log = logging.getLogger(__name__)

TICKS_PER_WINDOW = 60
"""A wait ends on a multiple of the window over this (of the clock), or of a fraction of it."""
MAX_TICK_DIVISOR = 20
"""The smallest step is the tick over this; where even that would cost throughput, no step."""


def wake_time(due: float, capacity: float, drain: float, tick: float) -> float:
    """When a request whose slot opens at ``due`` wakes: the next multiple of the tick, or of
    the tick's half, third... where a whole tick would drain a bucket of ``capacity`` past
    empty (``due`` itself where even a tiny step would).

    The slot opens when one request's room is free, so ``capacity - 1`` requests' worth is
    still in the bucket: waking within ``(capacity - 1) / drain`` seconds of ``due`` loses none
    of the drain, and the requests released together at the wake are those it made room for.
    """
    longest = (capacity - 1) / drain
    if tick <= 0 or longest < tick / MAX_TICK_DIVISOR:
        return due
    step = tick / math.ceil(tick / longest)
    return max(due, math.ceil(due / step) * step)


class Pacer:
    """``await pacer.wait()`` before each request; report its answer with ``answered`` or
    ``refused``. Requests wait in turn (first come, first served)."""

    def __init__(
        self,
        pacing: Pacing,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        tick: float | None = None,
    ) -> None:
        self.pacing = pacing
        self._clock = clock
        self._sleep = sleep
        self._tick = pacing.window / TICKS_PER_WINDOW if tick is None else tick
        self._level = 0.0
        self._last = clock()
        self._turn = asyncio.Lock()

    def _shape(self) -> tuple[float, float]:
        """The bucket's capacity and its drain per second, for the current rate."""
        pacing = self.pacing
        capacity = max(1.0, min(pacing.rate, pacing.rate / pacing.window))
        drain = (pacing.rate - capacity) / pacing.window
        if drain <= 0:  # fewer than two requests a window: one at a time, evenly spaced
            return 1.0, pacing.rate / pacing.window
        return capacity, drain

    async def wait(self) -> int:
        """Wait for a slot; returns the generation to give back with the answer."""
        async with self._turn:
            while True:
                now = self._clock()
                self.pacing.climb(now)
                capacity, drain = self._shape()
                level = max(0.0, self._level - (now - self._last) * drain)
                self._level = min(level, capacity)
                self._last = now
                pause = self.pacing.resume_at - now
                if pause <= 0 and self._level + 1 <= capacity:
                    self._level += 1
                    return self.pacing.generation
                wait = max(pause, (self._level + 1 - capacity) / drain)
                if self.pacing.rate < self.pacing.target:  # the rate climbs while this waits
                    wait = max(pause, min(wait, self.pacing.interval))
                if wait > pause:  # the bucket's wait, not a Retry-After's: on the tick
                    wait = wake_time(now + wait, capacity, drain, self._tick) - now
                await self._sleep(wait)

    def answered(self, generation: int) -> None:
        if self.pacing.answered(self._clock(), generation):
            log.debug("rate raised to %.0f/min", self.pacing.per_minute)

    def refused(self, generation: int, retry_after: float | None) -> None:
        reaction = self.pacing.refused(self._clock(), generation, retry_after)
        if reaction is Reaction.PAUSE:
            log.info("429 from the API: pausing until its Retry-After ends")
        elif reaction is not Reaction.SAME_BURST:
            log.info(
                "429 from the API (%s): rate now %.0f/min", reaction.value, self.pacing.per_minute
            )
