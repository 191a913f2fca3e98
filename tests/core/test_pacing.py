"""The adaptive pace (AIMD) on its own: cuts once per burst to what the server admitted,
honours Retry-After, grows back slowly, and stays within its floor and ceiling."""

from __future__ import annotations

from collections import deque

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.core.pacing import Pacing


def test_a_pace_starts_at_the_configured_rate() -> None:
    pacing = Pacing(ceiling=780)
    assert pacing.rate == 780 and pacing.per_minute == 780
    assert Pacing(ceiling=13, window=1).per_minute == 780


def test_a_burst_cuts_once_to_what_the_server_admitted_and_sets_the_pause() -> None:
    pacing = Pacing(ceiling=780)
    for n in range(100):
        pacing.answered(n * 0.07)  # 100 admitted in 7 s, then the window is full
    sent_before_the_burst = pacing.generation
    assert pacing.refused(7.0, sent_before_the_burst, retry_after=53)
    assert pacing.rate == pytest.approx(85)  # 0.85 × 100 admitted in the window
    assert pacing.resume_at == 60.0
    # The other requests of the same burst, sent before the cut, don't cut again.
    for _ in range(7):
        assert not pacing.refused(7.01, sent_before_the_burst, retry_after=53)
    assert pacing.rate == pytest.approx(85) and pacing.cuts == 1 and pacing.throttled == 8


def test_a_429_without_retry_after_pauses_one_second() -> None:
    pacing = Pacing(ceiling=100)
    pacing.answered(0.0)
    pacing.refused(5.0, pacing.generation, retry_after=None)
    assert pacing.resume_at == 6.0


def test_a_new_burst_after_a_cut_cuts_again_never_below_the_floor() -> None:
    pacing = Pacing(ceiling=100, floor=2)
    for _ in range(5):
        pacing.refused(0.0, pacing.generation, retry_after=1)  # nothing admitted at all
    assert pacing.rate == 2 and pacing.cuts == 5


def test_clean_windows_raise_the_rate_slowly_up_to_the_ceiling() -> None:
    pacing = Pacing(ceiling=100, window=60)
    pacing.answered(0.0)
    pacing.refused(0.0, pacing.generation, retry_after=60)  # one admitted: cut to the floor
    assert pacing.rate == 1
    pacing = Pacing(ceiling=100, window=60)
    for n in range(90):
        pacing.answered(n * 0.5)
    pacing.refused(45.0, pacing.generation, retry_after=15)
    cut = pacing.rate
    assert cut == pytest.approx(0.85 * 90)
    assert not pacing.answered(100.0)  # less than a window since the cut
    assert pacing.answered(105.0) and pacing.rate == pytest.approx(cut * 1.02)
    raised = [pacing.answered(105.0 + 60 * n) for n in range(1, 200)]
    assert pacing.rate == 100 and not raised[-1]


def _simulate(limit: int, ceiling: float, seconds: float) -> tuple[Pacing, list[float]]:
    """A client sending as fast as its pace allows (evenly) against a sliding-window server of
    ``limit`` per 60 s; returns the pace and the times of the 429s."""
    pacing = Pacing(ceiling=ceiling)
    window: deque[float] = deque()
    refusals: list[float] = []
    now = 0.0
    while now < seconds:
        now = max(now + 60 / pacing.rate * (1 + 1e-9), pacing.resume_at)
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) < limit:
            window.append(now)
            pacing.answered(now)
        else:
            refusals.append(now)
            pacing.refused(now, pacing.generation, window[0] + 60 - now)
    return pacing, refusals


@pytest.mark.parametrize("limit", [30, 100, 500])
def test_against_a_lower_limit_the_pace_settles_below_it_after_one_burst(limit: int) -> None:
    pacing, refusals = _simulate(limit, ceiling=780, seconds=300)
    assert len(refusals) == 1 and pacing.cuts == 1
    assert 0.8 * limit <= pacing.per_minute < limit


def test_against_the_configured_limit_nothing_is_refused() -> None:
    pacing, refusals = _simulate(780, ceiling=780, seconds=300)
    assert refusals == [] and pacing.rate == 780


@given(
    ceiling=st.floats(1, 10_000),
    events=st.lists(
        st.tuples(st.booleans(), st.floats(0, 5), st.none() | st.floats(0, 120)), max_size=200
    ),
)
def test_the_rate_stays_between_floor_and_ceiling(
    ceiling: float, events: list[tuple[bool, float, float | None]]
) -> None:
    pacing = Pacing(ceiling=ceiling)
    now = 0.0
    for refused, step, retry_after in events:
        now += step
        before = pacing.rate
        if refused:
            lowered = pacing.refused(now, pacing.generation, retry_after)
            assert pacing.rate <= before if lowered else pacing.rate == before
            assert pacing.resume_at >= now
        else:
            pacing.answered(now)
            assert pacing.rate >= before
        assert pacing.floor <= pacing.rate <= ceiling
