"""Paced requests wake together on the pacer's tick, at no cost in throughput or limit.

The pacer runs here on simulated time: its clock is a number that its sleep advances, so the
release time of every request is exact and the same on any machine. The same requests are
paced once with the tick and once without it (a tick of 0: each wakes when its slot opens).
"""

from __future__ import annotations

import asyncio
from bisect import bisect_left
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.api.pacer import TICKS_PER_WINDOW, Pacer, wake_time
from reconciler.core.pacing import Pacing


class SimulatedTime:
    """A clock that moves only when the pacer sleeps (a microsecond at least, as a real sleep
    does); counts the sleeps."""

    def __init__(self, start: float) -> None:
        self.now = start
        self.sleeps = 0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        # A sleep of nothing still moves time, by far less than the tests' 1e-6 tolerance, so
        # a run of them (180 in a drawn case) cannot add up to a difference they would see.
        self.now += max(1e-9, seconds)
        await asyncio.sleep(0)


def paced(
    rate: float, window: float, count: int, start: float, tick: float | None = None
) -> tuple[list[float], int]:
    """The release time of each of ``count`` requests sent at once, and the pacer's sleeps."""
    time = SimulatedTime(start)
    released: list[float] = []

    async def run() -> None:
        pacer = Pacer(Pacing(ceiling=rate, window=window), time.clock, time.sleep, tick)

        async def one() -> None:
            await pacer.wait()
            released.append(time.now)

        await asyncio.gather(*(one() for _ in range(count)))

    asyncio.run(run())
    return released, time.sleeps


def most_in_one_window(released: list[float], window: float) -> int:
    """The most releases in any span of ``window`` seconds that starts at a release."""
    return max(bisect_left(released, at + window) - index for index, at in enumerate(released))


@dataclass(frozen=True)
class BothWays:
    """The same requests paced with the tick and without it: release times and sleeps."""

    ticked: list[float]
    ticked_sleeps: int
    untimed: list[float]
    untimed_sleeps: int


@st.composite
def both_ways(draw: st.DrawFn) -> tuple[float, float, BothWays]:
    """A window, and requests sent at once paced at a drawn rate, from a drawn instant."""
    rate = draw(st.floats(min_value=2, max_value=3000))
    window = draw(st.sampled_from([1.0, 2.0, 10.0, 60.0]))
    count = draw(st.integers(min_value=1, max_value=250))
    start = draw(st.floats(min_value=0, max_value=1e6))
    ticked, ticked_sleeps = paced(rate, window, count, start)
    untimed, untimed_sleeps = paced(rate, window, count, start, 0.0)
    return rate, window, BothWays(ticked, ticked_sleeps, untimed, untimed_sleeps)


@settings(max_examples=150, deadline=None)
@given(both_ways())
def test_no_request_goes_more_than_a_tick_later_than_without_the_tick(
    drawn: tuple[float, float, BothWays],
) -> None:
    _, window, runs = drawn
    tick = window / TICKS_PER_WINDOW
    for with_tick, without in zip(runs.ticked, runs.untimed, strict=True):
        assert without - 1e-6 <= with_tick <= without + tick + 1e-6


@settings(max_examples=150, deadline=None)
@given(both_ways())
def test_the_tick_keeps_every_window_within_the_rate(drawn: tuple[float, float, BothWays]) -> None:
    rate, window, runs = drawn
    most = most_in_one_window(runs.ticked, window)
    assert most <= max(rate, most_in_one_window(runs.untimed, window))
    assert most <= rate + 1
    assert runs.ticked_sleeps <= runs.untimed_sleeps


def test_at_the_apis_pace_requests_wake_once_a_tick_not_once_each() -> None:
    # 780 requests a minute, 300 sent at once: 13 go at the start, the rest about 13 a second.
    ticked, ticked_sleeps = paced(780, 60.0, 300, 1234.567)  # a tick of 1 s
    untimed, untimed_sleeps = paced(780, 60.0, 300, 1234.567, 0.0)
    # The wakes fall on half ticks of the clock (a whole tick would drain 12.8 of the 13 the
    # bucket holds), so clients paced alike wake together.
    half = 0.5
    assert untimed_sleeps >= 280
    span = ticked[-1] - ticked[0]
    assert ticked_sleeps <= span / half + 2
    assert ticked[-1] <= untimed[-1] + 1.0
    assert all(abs(at / half - round(at / half)) < 1e-6 for at in ticked[13:])


def test_a_bucket_of_one_is_never_rounded() -> None:
    # Fewer than two requests a window's second: a tick would let the bucket drain past empty.
    assert wake_time(10.3, capacity=1.0, drain=0.5, tick=1.0) == 10.3
    # A bucket of 3 draining 4 a second may wait half a second past its slot: half ticks.
    assert wake_time(10.3, capacity=3.0, drain=4.0, tick=1.0) == 10.5
    assert wake_time(10.5, capacity=3.0, drain=4.0, tick=1.0) == 10.5
    # A bucket of 1.01 draining 1 a second: a step of 10 ms at most would do; too fine to round.
    assert wake_time(10.3001, capacity=1.01, drain=1.0, tick=1.0) == 10.3001


def test_a_retry_after_holds_every_request_until_it_ends_and_is_not_rounded() -> None:
    time = SimulatedTime(100.25)
    released: list[float] = []

    async def run() -> None:
        pacer = Pacer(Pacing(ceiling=780, window=60.0), time.clock, time.sleep)
        generation = await pacer.wait()
        pacer.refused(generation, retry_after=1.5)  # a pause: nothing was answered yet

        async def one() -> None:
            await pacer.wait()
            released.append(time.now)

        await asyncio.gather(*(one() for _ in range(3)))

    asyncio.run(run())
    # The pause ends at 101.75, off the tick; the bucket drained meanwhile, so all three go then.
    assert released == [101.75, 101.75, 101.75]


def test_a_rate_cut_by_a_pause_that_did_not_help_climbs_back_while_requests_wait() -> None:
    time = SimulatedTime(500.0)
    pacing = Pacing(ceiling=780, window=60.0)

    async def run() -> None:
        pacer = Pacer(pacing, time.clock, time.sleep)
        pacer.answered(await pacer.wait())
        pacer.refused(await pacer.wait(), retry_after=1.0)  # a pause
        pacer.refused(await pacer.wait(), retry_after=1.0)  # right after it: a cut
        assert pacing.rate < pacing.target == 780
        cut_at = time.now
        while pacing.rate < 780:  # never answered: the rate climbs on the clock alone
            await pacer.wait()
        climbed.append(time.now - cut_at)

    climbed: list[float] = []
    asyncio.run(run())
    # Back within the 30 s recovery (and the pause, and one tick of rounding).
    assert climbed and climbed[0] <= 30.0 + 1.0 + 1.0
