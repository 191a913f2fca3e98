"""The paired apply benchmark's harness, at a small size: each apply makes exactly the calls its
known state leaves, both sides of a pair run, and the per-call figure is the slope between the
call counts (correctness only: nothing here is timed)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from benchmarks.fleet_scale import names
from benchmarks.paired_apply import Pair, apply_cpu, measure, row, serving, write

RECONCILER = str(Path(sys.executable).with_name("reconciler"))


def test_a_pair_applies_each_call_count_with_both_installs(tmp_path: Path) -> None:
    single = write(tmp_path / "single", ["single"], [3, 9])
    fleet = write(tmp_path / "fleet", names(3), [2, 4])
    with serving() as base_url:
        # apply_cpu raises unless the fake answered exactly the calls of each apply
        single_rounds = measure(RECONCILER, RECONCILER, single, base_url, 1)
        fleet_rounds = measure(RECONCILER, RECONCILER, fleet, base_url, 1, rate_limit=600)
    for rounds, counts in ((single_rounds, {3, 9}), (fleet_rounds, {2, 4})):
        [pair] = rounds
        assert set(pair.before) == set(pair.now) == counts
        assert all(seconds > 0 for seconds in (*pair.before.values(), *pair.now.values()))
    assert row("one account", single, single_rounds).startswith("| one account | 3 → 9 |")
    assert row("3 accounts", fleet, fleet_rounds).startswith("| 3 accounts | 6 → 12 |")


def test_the_event_loop_alone_is_counted_for_one_account(tmp_path: Path) -> None:
    single = write(tmp_path / "single", ["single"], [2, 6])
    fleet = write(tmp_path / "fleet", names(2), [1, 2])
    with serving() as base_url:
        [pair] = measure(RECONCILER, RECONCILER, single, base_url, 1, calls_only=True)
        whole = apply_cpu(RECONCILER, single, 6, base_url)
        with pytest.raises(ValueError, match="one account only"):
            apply_cpu(RECONCILER, fleet, 1, base_url, calls_only=True)
    assert 0 < pair.now[6] < whole  # start-up, planning and saving are left out


def test_each_run_starts_from_the_known_state_of_its_call_count(tmp_path: Path) -> None:
    scenario = write(tmp_path / "s", ["single"], [2, 5])
    work = scenario.prepare(2)
    (work / ".reconciler" / "single.state.json.journal").write_text("left by a run\n")
    again = scenario.prepare(5)
    assert not (again / ".reconciler" / "single.state.json.journal").exists()
    state = again / ".reconciler" / "single.state.json"
    assert state.read_bytes() == scenario.known(5).read_bytes()
    shutil.rmtree(again)


def test_the_cost_per_call_is_the_slope_between_the_call_counts() -> None:
    pair = Pair(before={100: 1.0, 300: 2.0}, now={100: 0.8, 300: 1.2})
    assert pair.per_call(pair.before, 1) == pytest.approx(0.005)
    assert pair.per_call(pair.now, 2) == pytest.approx(0.001)
