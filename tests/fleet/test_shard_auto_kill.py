"""Four runners share a fleet of 40 accounts with ``--shard auto``; one is killed mid-run.

The runners are separate processes applying the same folder, the known state in one database.
While the sandbox stores the 30th client write of the run, the test kills (SIGKILL) the
runner that sent it, which it finds as the holder of that account's lock. Afterwards every
account has been applied exactly once: no PUT reached a sandbox twice but the calls the killed
runner had in flight. One more runner applies whatever the killed one left, and then every
account plans empty.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections import Counter
from pathlib import Path

import psycopg

from reconciler.sandbox import DROPPED
from reconciler.storage.postgres_lock import lock_key
from tests.support.cli_process import run_cli, spawn
from tests.support.fleet_accounts import Account, headings, make_accounts, serving

NAMES = tuple(f"conta-{number:02d}" for number in range(40))
RUNNERS = 4
AT_ONCE = 2
CONCURRENCY = 2
KILL_AT = 30
"""The client write (counted over the whole run) during which its sender is killed."""


def _holder(url: str, account: str) -> int | None:
    """The pid of the process whose connection holds ``account``'s lock (from its
    application name, ``pid N on host: ...``)."""
    key = lock_key(account)
    with psycopg.connect(url, autocommit=True) as db:
        row = db.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
            " AND l.classid::bigint = %s AND l.objid::bigint = %s",
            ((key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF),
        ).fetchone()
    if row is None or not str(row[0]).startswith("pid "):
        return None
    return int(str(row[0]).split()[1])


class Killer:
    """Kills the runner that sends the KILL_AT-th client write, while the sandbox stores it."""

    def __init__(self, url: str, runners: list[subprocess.Popen[bytes]]) -> None:
        self._url = url
        self._pids = {runner.pid for runner in runners}
        self._guard = threading.Lock()
        self._writes = 0
        self.killed: int | None = None
        self.done = threading.Event()

    def arm(self, account: Account) -> None:
        def city(value: object) -> object:
            with self._guard:
                self._writes += 1
                if self._writes == KILL_AT:
                    pid = _holder(self._url, account.name)
                    if pid in self._pids:
                        os.kill(pid, signal.SIGKILL)
                        self.killed = pid
                    self.done.set()
            return value

        account.sandbox.rewrites = {"client.city": city}


def _puts(account: Account) -> Counter[str]:
    return Counter(
        r.path for r in account.sandbox.requests if r.method == "PUT" and r.status != DROPPED
    )


def _records(url: str) -> Counter[str]:
    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute("SELECT account, count(*) FROM reconciler_records GROUP BY account")
        return Counter({str(name): int(count) for name, count in rows.fetchall()})


def test_four_runners_apply_each_account_once_and_a_killed_ones_work_is_finished(
    tmp_path: Path, postgres_url: str
) -> None:
    accounts = make_accounts(tmp_path, NAMES, clients=3)
    folder = str(tmp_path / "accounts")
    apply = ["apply", "-f", folder, "--shard", "auto", "--auto-approve"]
    with serving(accounts) as served:
        env = {
            **served,
            "RECONCILER_STATE_URL": postgres_url,
            "RECONCILER_ACCOUNTS_AT_ONCE": str(AT_ONCE),
            "RECONCILER_CONCURRENCY": str(CONCURRENCY),
        }
        runners, outputs = [], []
        for number in range(RUNNERS):
            where = tmp_path / f"runner-{number}"
            where.mkdir()
            outputs.append(where / "child.out")
            runners.append(spawn(apply, env, where))
        killer = Killer(postgres_url, runners)
        for account in accounts:
            killer.arm(account)
        try:
            assert killer.done.wait(timeout=600), "the runners never reached the kill"
            codes = {runner.pid: runner.wait(timeout=600) for runner in runners}
        finally:
            for runner in runners:
                runner.kill()
        texts = {runner.pid: out.read_text() for runner, out in zip(runners, outputs, strict=True)}
        assert killer.killed is not None, "the write's sender was no runner"
        for pid, code in codes.items():
            expected = -signal.SIGKILL if pid == killer.killed else 0
            assert code == expected, texts[pid]
        survivors = [text for pid, text in texts.items() if pid != killer.killed]
        assert any("Apply: " in text for text in survivors), survivors
        sent = Counter[str]()
        for account in accounts:
            sent.update({f"{account.name} {path}": n for path, n in _puts(account).items()})
        twice = {call: n for call, n in sent.items() if n > 1}
        # Only the calls the killed runner had in flight may have been sent again.
        assert len(twice) <= AT_ONCE * CONCURRENCY and set(twice.values()) <= {2}, twice

        rerun = run_cli(apply, env)
        assert rerun.exit_code == 0, rerun.output
        for account in accounts:
            assert account.shape.converged(account.sandbox) == [], account.name
            puts = _puts(account)
            assert len(puts) == account.shape.calls, (account.name, puts)
        after = Counter[str]()
        for account in accounts:
            after.update({f"{account.name} {path}": n for path, n in _puts(account).items()})
        again = {call: n for call, n in after.items() if n > 1}
        assert len(again) <= AT_ONCE * CONCURRENCY and set(again.values()) <= {2}, again
        assert _records(postgres_url) == {a.name: a.shape.calls for a in accounts}
        plan = run_cli(["plan", "-f", folder, "--detailed-exitcode"], env)
    assert plan.exit_code == 0, plan.output
    assert sorted(headings(plan.stdout)) == sorted(NAMES)
