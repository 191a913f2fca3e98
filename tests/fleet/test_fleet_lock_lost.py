"""A fleet account that loses its PostgreSQL lock mid-apply is reported as a single account's run
is: the stop line and the apply's counts, exit 3 once it made a call, 1 before."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import psycopg
import pytest

from reconciler.sandbox.faults import Faults
from reconciler.storage.postgres_lock import lock_key
from reconciler.workflows import apply_run
from tests.support.cli_process import run_cli
from tests.support.fleet_accounts import make_accounts, serving

COUNTS = re.compile(r"Apply: (\d+) calls? made, (\d+) recorded")


def _end_lock_connection(url: str, account: str) -> None:
    """End the connection holding ``account``'s advisory lock, as a firewall or an idle
    timeout would."""
    key = lock_key(account)
    with psycopg.connect(url, autocommit=True) as db:
        ended = db.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 60000)) FROM pg_locks"
            " WHERE locktype = 'advisory' AND granted AND objsubid = 1"
            " AND classid::bigint = %s AND objid::bigint = %s",
            ((key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF),
        ).fetchone()
    assert ended == (1,), "no connection held the lock"


def _section(stdout: str, name: str) -> str:
    """The account's section of a fleet's text output."""
    start = stdout.index(f"== {name} (")
    end = stdout.find("\n== ", start + 1)
    return stdout[start : end if end != -1 else len(stdout)]


@pytest.mark.parametrize("when", ["mid-apply", "before the first call"])
def test_an_account_that_loses_its_lock_shows_the_stop_line_and_its_counts(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    accounts = make_accounts(tmp_path, ("lisboa", "porto"))
    lisboa, porto = accounts
    if when == "mid-apply":
        porto.sandbox.faults = Faults(latency=0.02)
        stored: list[object] = []

        def city(value: object) -> object:
            stored.append(value)
            if len(stored) == 5:
                _end_lock_connection(postgres_url, "porto")
            return value

        porto.sandbox.rewrites = {"client.city": city}
    else:
        real = apply_run.apply_and_verify

        def losing_first(session: Any, *args: Any) -> Any:
            if session.store.account == "porto":
                _end_lock_connection(postgres_url, "porto")
            return real(session, *args)

        monkeypatch.setattr(apply_run, "apply_and_verify", losing_first)
    with serving(accounts) as env:
        env["RECONCILER_CONCURRENCY"] = "2"
        result = run_cli(
            ["apply", "-f", str(tmp_path / "accounts"), "--auto-approve"],
            {**env, "RECONCILER_STATE_URL": postgres_url},
        )
    section = _section(result.stdout, "porto")
    assert "lost the known-state lock" in section, result.output
    counts = COUNTS.search(section)
    assert counts is not None, section
    made = int(counts[1])
    if when == "mid-apply":
        assert made >= 5, section
        assert result.exit_code == 3, result.output
    else:
        assert made == 0, section
        assert porto.accepted() == 0
        assert result.exit_code == 1, result.output
    assert "error: porto: " in result.stderr
    assert lisboa.shape.converged(lisboa.sandbox) == []
