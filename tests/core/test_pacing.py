"""The adaptive pace on its own, on a fake clock: a short Retry-After is a pause, a full window
sets the rate to what it admitted (per window, not per second so far), a cut climbs back in
equal steps within about 30 s, and a sliding-window server never answers two 429s in a row."""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.core.pacing import PaceSummary, Pacing, Reaction


def test_a_pace_starts_at_the_configured_rate() -> None:
    pacing = Pacing(ceiling=780)
    assert pacing.rate == 780 and pacing.per_minute == 780
    assert Pacing(ceiling=13, window=1).per_minute == 780


@pytest.mark.parametrize("retry_after", [None, 1.0, 5.0])
def test_a_429_on_the_second_request_is_a_pause_not_a_ceiling(retry_after: float | None) -> None:
    pacing = Pacing(ceiling=780)
    pacing.answered(0.05, pacing.generation)
    reaction = pacing.refused(0.1, pacing.generation, retry_after)
    assert reaction is Reaction.PAUSE
    assert pacing.rate == 780 and pacing.limit == 780
    assert pacing.resume_at == pytest.approx(0.1 + (retry_after or 1.0))


def test_a_full_window_sets_the_rate_to_what_it_admitted_per_window() -> None:
    pacing = Pacing(ceiling=780)
    for n in range(100):
        pacing.answered(n * 0.077, pacing.generation)  # 100 admitted in 7.6 s, at 780/min
    sent_before = pacing.generation
    # A sliding window's Retry-After: the first of the 100 leaves it 60 s after it came.
    assert pacing.refused(7.7, sent_before, retry_after=53) is Reaction.WINDOW
    assert pacing.rate == 100 and pacing.limit == 100  # per 60 s, not 100 per 7.7 s
    assert pacing.resume_at == pytest.approx(60.7)
    # Requests sent before the 429 and answered after it were admitted in that window too.
    for at in (7.71, 7.72):
        assert pacing.answered(at, sent_before)
    assert pacing.rate == 102
    # The rest of the same burst changes nothing.
    for _ in range(5):
        assert pacing.refused(7.73, sent_before, retry_after=53) is Reaction.SAME_BURST
    assert pacing.rate == 102 and pacing.throttled == 6
    # A limit the server showed is kept: clean answers never raise the rate past it.
    for n in range(1000):
        pacing.answered(61 + n * 0.6, pacing.generation)
    assert pacing.rate == 102


def test_a_long_retry_after_on_a_young_window_is_a_pause() -> None:
    pacing = Pacing(ceiling=780)
    pacing.answered(0.0, pacing.generation)
    # The window's only request leaves it at 60 s: a 20 s Retry-After is not the window.
    assert pacing.refused(0.1, pacing.generation, retry_after=20) is Reaction.PAUSE
    assert pacing.rate == 780 and pacing.resume_at == pytest.approx(20.1)


def test_a_429_before_anything_was_admitted_teaches_nothing_about_the_window() -> None:
    pacing = Pacing(ceiling=780)
    # Another client filled the window: wait, but there is no count of ours to learn from.
    assert pacing.refused(0.1, pacing.generation, retry_after=59) is Reaction.PAUSE
    assert pacing.rate == 780 and pacing.resume_at == pytest.approx(59.1)


def test_a_pause_that_did_not_help_cuts_then_climbs_back_in_equal_steps_within_30_s() -> None:
    pacing = Pacing(ceiling=780)
    for n in range(300):
        pacing.answered(n * 0.1, pacing.generation)  # 300 admitted in the last 30 s
    assert pacing.refused(30.0, pacing.generation, 1) is Reaction.PAUSE
    # The next request, sent after the pause, is refused too: the rate is halved.
    assert pacing.refused(31.0, pacing.generation, 1) is Reaction.CUT
    assert pacing.rate == 300 and pacing.target == 780  # 300 admitted < 780 / 2
    assert not pacing.climb(31.9)  # less than a clean interval
    curve = []
    for second in range(1, 31):
        pacing.answered(31.0 + second, pacing.generation)
        curve.append(pacing.rate)
    assert curve == pytest.approx([300 + 16 * step for step in range(1, 31)])
    assert pacing.rate == pytest.approx(780)  # back to the previous rate 30 s after the cut
    pacing.answered(100.0, pacing.generation)
    assert pacing.rate == pytest.approx(780)


def test_a_pause_that_did_not_help_climbs_while_nothing_is_answered() -> None:
    pacing = Pacing(ceiling=120)
    pacing.refused(0.0, pacing.generation, 1)
    assert pacing.refused(1.0, pacing.generation, 1) is Reaction.CUT
    assert pacing.rate == 1  # nothing admitted: the floor
    assert pacing.climb(16.0) and pacing.rate == pytest.approx(1 + 15 * 119 / 30)
    assert pacing.climb(31.0) and pacing.rate == pytest.approx(120)


def test_a_clean_answer_between_two_429s_makes_the_second_a_pause_again() -> None:
    pacing = Pacing(ceiling=780)
    for n in range(50):
        pacing.answered(n * 0.1, pacing.generation)
    assert pacing.refused(5.0, pacing.generation, 1) is Reaction.PAUSE
    pacing.answered(6.1, pacing.generation)
    assert pacing.refused(6.2, pacing.generation, 1) is Reaction.PAUSE
    assert pacing.rate == 780


def test_without_retry_after_a_second_429_in_a_row_waits_for_the_window() -> None:
    pacing = Pacing(ceiling=780)
    for n in range(100):
        pacing.answered(n * 0.077, pacing.generation)
    assert pacing.refused(7.7, pacing.generation, None) is Reaction.PAUSE
    assert pacing.refused(8.8, pacing.generation, None) is Reaction.WINDOW
    assert pacing.rate == 100
    assert pacing.resume_at == pytest.approx(60.0)  # when the window's first request leaves


@dataclass
class SlidingWindow:
    """A server admitting ``limit`` requests in any ``window`` seconds; its Retry-After is the
    whole seconds until a slot frees (``None`` when ``says_when`` is off)."""

    limit: int
    window: float = 60.0
    says_when: bool = True
    admitted: deque[float] = field(default_factory=deque)

    def answer(self, now: float) -> tuple[bool, float | None]:
        """Whether the request is admitted, and the Retry-After when it is not."""
        while self.admitted and self.admitted[0] <= now - self.window:
            self.admitted.popleft()
        if len(self.admitted) < self.limit:
            self.admitted.append(now)
            return True, None
        wait = math.ceil(self.admitted[0] + self.window - now)
        return False, wait if self.says_when else None


def _run(server: SlidingWindow, pacing: Pacing, seconds: float) -> list[tuple[float, bool]]:
    """A client sending evenly at its pace, never before ``resume_at``: (time, admitted)."""
    sent: list[tuple[float, bool]] = []
    now = 0.0
    while now < seconds:
        pacing.climb(now)
        now = max(now + pacing.window / pacing.rate * (1 + 1e-9), pacing.resume_at)
        generation = pacing.generation
        admitted, retry_after = server.answer(now)
        if admitted:
            pacing.answered(now, generation)
        else:
            pacing.refused(now, generation, retry_after)
        sent.append((now, admitted))
    return sent


@pytest.mark.parametrize("limit", [30, 100, 500])
def test_against_a_lower_limit_one_429_then_exactly_the_limit(limit: int) -> None:
    pacing = Pacing(ceiling=780)
    sent = _run(SlidingWindow(limit), pacing, seconds=300)
    assert [ok for _, ok in sent].count(False) == 1
    assert pacing.per_minute == limit
    # After the 429's pause, the server admits at its limit: 0.97 or more of it over 5 minutes.
    assert sum(ok for _, ok in sent) >= 0.97 * limit * 5


def test_against_a_limit_without_retry_after_never_three_429s() -> None:
    pacing = Pacing(ceiling=780)
    sent = _run(SlidingWindow(100, says_when=False), pacing, seconds=300)
    assert [ok for _, ok in sent].count(False) == 2  # a pause, then the window it was
    assert pacing.per_minute == 100


def test_against_the_configured_limit_nothing_is_refused() -> None:
    pacing = Pacing(ceiling=780)
    assert all(ok for _, ok in _run(SlidingWindow(780), pacing, seconds=300))
    assert pacing.rate == 780


def test_random_short_429s_are_pauses_and_the_rate_comes_back() -> None:
    """5 % of answers a 429 with Retry-After 1, as a flaky server sends: never a ceiling."""
    pacing = Pacing(ceiling=780)
    draw = random.Random(7)
    now, refused, sent = 0.0, 0, 0
    while now < 600:
        pacing.climb(now)
        now = max(now + 60 / pacing.rate, pacing.resume_at)
        sent += 1
        if draw.random() < 0.05:
            pacing.refused(now, pacing.generation, 1)
            refused += 1
        else:
            pacing.answered(now, pacing.generation)
    assert refused > 100 and pacing.limit == 780
    # Each 429 stops sending for its second, and two in a row halve the rate for a while:
    # still about half the configured rate over the ten minutes, never a crawl.
    assert sent >= 0.45 * 780 * 10


@given(
    ceiling=st.floats(1, 10_000),
    events=st.lists(
        st.tuples(st.booleans(), st.floats(0, 5), st.none() | st.floats(0, 120), st.booleans()),
        max_size=200,
    ),
)
def test_the_rate_stays_between_floor_and_ceiling(
    ceiling: float, events: list[tuple[bool, float, float | None, bool]]
) -> None:
    pacing = Pacing(ceiling=ceiling)
    now = 0.0
    for refused, step, retry_after, stale in events:
        now += step
        sent_in = max(0, pacing.generation - 1) if stale else pacing.generation
        before = pacing.rate
        if refused:
            reaction = pacing.refused(now, sent_in, retry_after)
            if reaction in (Reaction.SAME_BURST, Reaction.PAUSE):
                assert pacing.rate == before
            assert pacing.resume_at >= now
        else:
            pacing.answered(now, sent_in)
        assert pacing.floor <= pacing.rate <= pacing.target <= pacing.limit <= ceiling


@pytest.mark.parametrize(
    "arguments",
    [
        {"ceiling": 0},
        {"ceiling": -1},
        {"ceiling": 10, "window": 0},
        {"ceiling": 10, "recovery": 0},
        {"ceiling": 10, "interval": 0},
    ],
)
def test_a_pace_needs_positive_numbers(arguments: dict[str, float]) -> None:
    with pytest.raises(ValueError) as raised:
        Pacing(**arguments)
    assert str(raised.value) in (
        "a pace needs a positive rate and window",
        "recovery and interval are positive numbers of seconds",
    )
    assert ("window" in str(raised.value)) == (
        "recovery" not in arguments and "interval" not in arguments
    )
    # Any positive number will do, below one too.
    Pacing(ceiling=0.5, window=0.5, recovery=0.5, interval=0.5)


def test_the_floor_is_never_above_the_ceiling() -> None:
    assert Pacing(ceiling=0.5).floor == 0.5
    assert Pacing(ceiling=10, floor=2).floor == 2


def test_a_run_without_429s_needs_no_note() -> None:
    pacing = Pacing(ceiling=13, window=1)
    pacing.answered(0.0, pacing.generation)
    summary = pacing.summary()
    assert summary == PaceSummary(780, 780, 0)
    assert summary.note() is None


def test_the_note_says_how_often_the_api_refused_and_where_the_rate_settled() -> None:
    pacing = Pacing(ceiling=13, window=1)
    pacing.answered(0.0, pacing.generation)
    pacing.refused(0.1, pacing.generation, 1)
    assert pacing.summary() == PaceSummary(780, 780, 1)
    assert pacing.summary().note() == (
        "the API answered 429 (too many requests) 1 time; the rate settled at 780/min "
        "(configured 780/min, RECONCILER_RATE_LIMIT)"
    )
    pacing.refused(1.2, pacing.generation, 1)  # a pause that did not help: the rate halves
    summary = pacing.summary()
    assert summary.throttled == 2 and summary.settled_per_minute == 60
    assert summary.note() == (
        "the API answered 429 (too many requests) 2 times; the rate settled at 60/min "
        "(configured 780/min, RECONCILER_RATE_LIMIT)"
    )


def test_a_retry_after_of_zero_or_less_is_taken_as_none() -> None:
    for retry_after in (0.0, -5.0):
        pacing = Pacing(ceiling=780)
        pacing.answered(0.0, pacing.generation)
        assert pacing.refused(0.5, pacing.generation, retry_after) is Reaction.PAUSE
        assert pacing.resume_at == pytest.approx(1.5)


def test_each_new_429_starts_a_burst_of_its_own() -> None:
    pacing = Pacing(ceiling=780)
    pacing.answered(0.0, pacing.generation)
    before_first = pacing.generation
    pacing.refused(1.0, before_first, 1)
    before_second = pacing.generation
    assert before_second != before_first
    pacing.refused(2.0, before_second, 1)
    # A request sent between the two 429s and refused after the second belongs to its burst.
    assert pacing.refused(2.1, before_second, 1) is Reaction.SAME_BURST
    assert pacing.refused(2.2, before_first, 1) is Reaction.SAME_BURST
    assert pacing.throttled == 4


def test_an_answer_sent_before_a_cut_does_not_raise_the_rate() -> None:
    pacing = Pacing(ceiling=780)
    for n in range(300):
        pacing.answered(n * 0.1, pacing.generation)
    pacing.refused(30.0, pacing.generation, 1)
    sent_before = pacing.generation
    assert pacing.refused(31.0, sent_before, 1) is Reaction.CUT
    assert not pacing.answered(31.05, sent_before)
    assert pacing.rate == 300


def test_a_cut_halves_the_rate_when_the_window_admitted_more() -> None:
    pacing = Pacing(ceiling=100)
    for n in range(80):
        pacing.answered(n * 0.1, pacing.generation)
    pacing.refused(8.0, pacing.generation, 1)
    assert pacing.refused(9.0, pacing.generation, 1) is Reaction.CUT
    assert pacing.rate == 50  # half the rate, though the window admitted 80


def test_without_retry_after_and_nothing_admitted_the_pause_is_a_whole_window() -> None:
    pacing = Pacing(ceiling=780)
    assert pacing.refused(0.0, pacing.generation, None) is Reaction.PAUSE
    assert pacing.resume_at == pytest.approx(1.0)
    assert pacing.refused(1.0, pacing.generation, None) is Reaction.WINDOW
    assert pacing.resume_at == pytest.approx(61.0)
    assert pacing.rate == 1  # nothing admitted: the floor


def test_one_request_admitted_can_fill_a_window() -> None:
    pacing = Pacing(ceiling=780)
    pacing.answered(0.0, pacing.generation)
    assert pacing.refused(0.5, pacing.generation, retry_after=59.5) is Reaction.WINDOW
    assert pacing.rate == 1 and pacing.limit == 1


def test_a_retry_after_ending_a_short_pause_before_the_oldest_leaves_is_a_full_window() -> None:
    pacing = Pacing(ceiling=780)
    pacing.answered(0.0, pacing.generation)
    pacing.answered(0.5, pacing.generation)
    # 1 + 58 + the short pause (1) = 60, when the request of time 0 leaves the window.
    assert pacing.refused(1.0, pacing.generation, retry_after=58) is Reaction.WINDOW
    assert pacing.rate == 2


def test_a_rate_at_the_ceiling_is_not_raised_by_an_answer_from_the_full_window() -> None:
    pacing = Pacing(ceiling=3)
    for at in (0.0, 1.0, 2.0):
        pacing.answered(at, pacing.generation)
    sent_before = pacing.generation
    assert pacing.refused(3.0, sent_before, retry_after=57) is Reaction.WINDOW
    assert pacing.rate == 3
    assert not pacing.answered(3.1, sent_before)
    assert pacing.rate == 3


def test_a_cut_climbs_one_step_per_clean_interval_of_any_length() -> None:
    pacing = Pacing(ceiling=120, interval=2)
    pacing.refused(0.0, pacing.generation, 1)
    assert pacing.refused(1.0, pacing.generation, 1) is Reaction.CUT
    assert pacing.rate == 1
    step = 119 * 2 / 30  # 15 steps of 2 s in the 30 s of recovery
    assert not pacing.climb(2.9)
    assert pacing.climb(3.0) and pacing.rate == pytest.approx(1 + step)
    assert not pacing.climb(4.9)
    assert pacing.climb(7.0) and pacing.rate == pytest.approx(1 + 3 * step)
    assert pacing.climb(31.0) and pacing.rate == pytest.approx(120)
    assert not pacing.climb(60.0)  # back at the rate before the cut: nothing to climb
    assert pacing.rate == pytest.approx(120)


def test_rates_per_minute_are_worked_out_from_any_window() -> None:
    pacing = Pacing(ceiling=10, window=30)
    assert pacing.per_minute == 20
    assert pacing.summary() == PaceSummary(20, 20, 0)


def test_a_request_answered_a_whole_window_ago_has_left_it() -> None:
    pacing = Pacing(ceiling=780)
    pacing.answered(0.0, pacing.generation)
    # At 60 s the request of time 0 has left the window: nothing admitted in it, so a
    # 5 s Retry-After is a pause, not a full window of one.
    assert pacing.refused(60.0, pacing.generation, retry_after=5) is Reaction.PAUSE
    assert pacing.rate == 780
