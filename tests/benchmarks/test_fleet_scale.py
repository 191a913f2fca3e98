"""The scale benchmark's harness, at a small size: its figures agree with each other and with
what the fake API and the database saw (correctness only: nothing here is timed)."""

from __future__ import annotations

import pytest

from benchmarks.fleet_scale import CHANGED, CLIENTS, bench_scale, fake_api, table

ACCOUNTS = 12
AT_ONCE = 2


def _check(scale_accounts: int, backend: str, database_url: str | None = None) -> None:
    with fake_api() as base_url:
        scale = bench_scale(scale_accounts, backend, 2, base_url, database_url, AT_ONCE)
    apply, plan = scale.apply, scale.plan
    assert apply.command == "apply" and apply.backend == backend
    assert apply.calls == scale_accounts * CHANGED  # the fake counted every call once
    assert plan.calls == 0 and plan.exit_code == 0  # after the apply, nothing is left to do
    assert plan in scale.fleet_plans
    assert len(scale.fleet_plans) == len(scale.single_plans) == 2
    for single in scale.single_plans:
        assert (single.accounts, single.clients) == (1, scale_accounts * CLIENTS)
    for run in (apply, plan, *scale.fleet_plans):
        assert run.accounts == scale_accounts and run.clients == CLIENTS
        assert run.cpu_seconds > 0 and run.peak_mib > 0
        assert run.cpu_ms_per_account == pytest.approx(run.cpu_seconds * 1000 / scale_accounts)
    assert apply.cpu_ms_per_call == pytest.approx(apply.cpu_seconds * 1000 / apply.calls)
    assert plan.cpu_ms_per_call is None
    pairs = zip(scale.fleet_plans, scale.single_plans, strict=True)
    ratios = sorted(fleet.seconds / single.seconds for fleet, single in pairs)
    assert min(ratios) <= scale.ratio <= max(ratios)
    pairs = zip(scale.fleet_plans, scale.single_plans, strict=True)
    cpu_ratios = sorted(fleet.cpu_seconds / single.cpu_seconds for fleet, single in pairs)
    assert min(cpu_ratios) <= scale.cpu_ratio <= max(cpu_ratios)
    rows = table([scale]).splitlines()[2:]
    assert len(rows) == 2 and rows[0].startswith(f"| {backend} | {scale_accounts} | apply |")
    if backend == "files":
        assert apply.peak_connections is None and plan.peak_connections is None
        return
    # Each account being worked on holds one connection, and only while it is worked on (a
    # connection just closed may still be listed while its server process exits).
    for run in (apply, plan):
        assert run.peak_connections is not None
        assert 1 <= run.peak_connections <= 2 * AT_ONCE < ACCOUNTS


def test_the_harness_counts_every_call_and_the_figures_agree_with_files() -> None:
    _check(ACCOUNTS, "files")


def test_the_harness_counts_every_call_and_connections_stay_bounded_in_postgresql(
    postgres_url: str,
) -> None:
    _check(ACCOUNTS, "database", postgres_url)
