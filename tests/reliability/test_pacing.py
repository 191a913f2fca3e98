"""The client learns a rate limit lower than its own: one burst of 429s, then it keeps to it;
against a limit it was configured for, it is never refused.

The sandbox counts requests over a 2-second window here instead of the API's minute, and the
client is told so (``RECONCILER_RATE_WINDOW``), so that many windows pass in a short test; the
rates keep the proportion of the real case: the default 780/min against an account held to
100/min. The full-minute runs are in benchmarks/apply_bench.py (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import re
from pathlib import Path

from reconciler.sandbox import Sandbox
from tests.support.cli_process import API_KEY, environment, run_cli
from tests.support.many_clients import Fleet

WINDOW = 2
SERVER_LIMIT = 10  # per window: "100/min"
CLIENT_RATE = 2340  # per minute: 78 per window, "780/min" against "100/min"


def _bursts(statuses: list[int], gap: int) -> int:
    """Runs of 429s, a run ending once ``gap`` answers in a row were not 429."""
    bursts, clean = 0, gap
    for status in statuses:
        if status == 429:
            bursts += clean >= gap
            clean = 0
        else:
            clean += 1
    return bursts


def test_bursts_are_counted_apart_only_after_a_clean_stretch() -> None:
    assert _bursts([200, 200], 3) == 0
    assert _bursts([200, 429, 429, 200, 429, 200, 200, 200, 429], 3) == 2


def test_a_lower_limit_is_learned_from_one_burst_of_429s(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, size=30).write()
    sandbox = Sandbox(
        api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=SERVER_LIMIT, rate_window=WINDOW
    )
    with sandbox.running_in_thread() as base_url:
        env = environment(
            base_url,
            RECONCILER_RATE_LIMIT=str(CLIENT_RATE),
            RECONCILER_RATE_WINDOW=str(WINDOW),
        )
        result = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)
        statuses = [r.status for r in sandbox.requests]

    assert result.exit_code == 0, result.output
    throttled = statuses.count(429)
    assert throttled >= 1  # the client started above the limit
    assert _bursts(statuses, gap=SERVER_LIMIT) == 1
    assert len(statuses) - throttled == fleet.calls
    assert f"the API answered 429 (too many requests) {throttled} time" in result.stderr
    # It settled at the limit (300/min): the 10 per 2 s the full window admitted.
    settled = re.search(r"the rate settled at (\d+)/min \(configured 2340/min", result.stderr)
    assert settled is not None and int(settled.group(1)) == 300


def test_a_limit_the_client_was_configured_for_is_never_exceeded(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, size=30).write()
    sandbox = Sandbox(
        api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=SERVER_LIMIT, rate_window=WINDOW
    )
    with sandbox.running_in_thread() as base_url:
        env = environment(
            base_url,
            RECONCILER_RATE_LIMIT=str(SERVER_LIMIT * 60 // WINDOW),
            RECONCILER_RATE_WINDOW=str(WINDOW),
        )
        result = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)
        statuses = [r.status for r in sandbox.requests]

    assert result.exit_code == 0, result.output
    assert 429 not in statuses and len(statuses) == fleet.calls
    assert "429" not in result.stderr
