"""``--shard auto``: runners share a fleet's accounts through the known-state database's locks.

Each runner takes the accounts whose lock it gets at once, in an order of its own, and plans
each one from what is recorded once it holds its lock; an account another runner holds is
left to it. An account's settings (API key, base URL, the variables its file reads) are read
only when the runner takes it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg

from reconciler.errors import LockHeld
from reconciler.sandbox import DROPPED
from reconciler.settings import account_suffix
from reconciler.storage.postgres_lock import DatabaseLock, held_lock, lock_key
from tests.support.cli_process import run_cli
from tests.support.fleet_accounts import Account, headings, make_accounts, serving

TAKEN = "taken by another runner"
FINISHED = "finished by another runner"


@contextlib.contextmanager
def holding(url: str, *names: str) -> Iterator[list[psycopg.Connection[tuple[object, ...]]]]:
    """The locks of ``names`` held as another runner would hold them, one connection each;
    ``release`` (or leaving the block) releases them."""
    connections = []
    try:
        for name in names:
            db = psycopg.connect(url, autocommit=True)
            connections.append(db)
            db.execute("SELECT pg_advisory_lock(%s)", (lock_key(name),))
        yield connections
    finally:
        release(connections)


def release(connections: list[psycopg.Connection[tuple[object, ...]]]) -> None:
    """Release the locks held on ``connections`` (at once, not whenever their server processes
    exit) and close them."""
    for db in connections:
        if not db.closed:
            db.execute("SELECT pg_advisory_unlock_all()")
            db.close()


def _requests(account: Account) -> int:
    return len(account.sandbox.requests)


def _without_settings(env: dict[str, str], account: Account) -> dict[str, str]:
    """``env`` without the account's key and base URL, its file reading a password that is
    set nowhere."""
    suffix = account_suffix(account.name)
    text = account.file.read_text().replace("${AT_PASSWORD}", f"${{AT_PASSWORD_{suffix}}}")
    account.file.write_text(text)
    drop = {f"INVOICEXPRESS_API_KEY_{suffix}", f"INVOICEXPRESS_BASE_URL_{suffix}"}
    return {key: value for key, value in env.items() if key not in drop}


def test_shard_auto_without_a_database_is_a_usage_error(tmp_path: Path) -> None:
    folder = tmp_path / "accounts"
    folder.mkdir()
    for name in ("lisboa", "porto"):
        (folder / f"{name}.yaml").write_text("clients: []\n")
    for command in (["plan"], ["apply", "--auto-approve"], ["refresh"]):
        result = run_cli([*command, "-f", str(folder), "--shard", "auto", "--sandbox"], {})
        assert result.exit_code == 1, (command, result.output)
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: --shard auto"), lines
        assert "RECONCILER_STATE_URL" in lines[0], lines
    assert not (folder / ".reconciler").exists(), "something was written"


def test_an_account_another_runner_holds_is_left_to_it_and_its_settings_never_read(
    tmp_path: Path, postgres_url: str
) -> None:
    accounts = make_accounts(tmp_path, clients=3)
    porto = next(account for account in accounts if account.name == "porto")
    others = [account for account in accounts if account is not porto]
    folder = str(tmp_path / "accounts")
    auto = ["-f", folder, "--shard", "auto", "--state-url", postgres_url]
    with serving(accounts) as served:
        env = _without_settings(served, porto)
        with holding(postgres_url, "porto"):
            planned = run_cli(["plan", *auto, "--detailed-exitcode"], env)
            applied = run_cli(["apply", *auto, "--auto-approve"], env)
            refreshed = run_cli(["refresh", *auto], env)
            asked = run_cli(["apply", *auto], env)
        assert _requests(porto) == 0
        # Once porto is free, this runner takes it, and only then needs its settings.
        taken = run_cli(["plan", *auto], env)
    for result in (planned, applied, refreshed):
        assert f"note: porto: {TAKEN}" in result.stderr, result.output
        assert not any(account.api_key in result.output for account in accounts)
        assert "error" not in result.stderr, result.stderr
        assert sorted(headings(result.stdout)) == sorted(a.name for a in others), result.stdout
    assert planned.exit_code == 2, planned.output
    assert applied.exit_code == 0, applied.output
    assert refreshed.exit_code == 0, refreshed.output
    for account in others:
        assert account.shape.converged(account.sandbox) == [], account.name
    assert asked.exit_code == 1, asked.output
    assert "--shard auto applies each account as it takes it: pass --auto-approve" in asked.stderr
    assert taken.exit_code == 1, taken.output
    assert "error: porto:" in taken.stderr and TAKEN not in taken.stderr, taken.stderr
    assert f"AT_PASSWORD_{account_suffix('porto')}" in taken.stderr, taken.stderr


def test_a_static_shard_reads_only_its_own_accounts_settings(tmp_path: Path) -> None:
    from reconciler.workflows.fleet_run import Shard

    accounts = make_accounts(tmp_path, clients=3)
    shard = Shard(1, 2)
    inside = [account for account in accounts if shard.holds(account.name)]
    outside = [account for account in accounts if not shard.holds(account.name)]
    assert inside and outside
    with serving(accounts) as env:
        for account in outside:
            env = _without_settings(env, account)
        result = run_cli(
            ["apply", "-f", str(tmp_path / "accounts"), "--shard", "1/2", "--auto-approve"], env
        )
    assert result.exit_code == 0, result.output
    assert sorted(headings(result.stdout)) == sorted(a.name for a in inside)
    for account in inside:
        assert account.shape.converged(account.sandbox) == [], account.name
    for account in outside:
        assert _requests(account) == 0, account.name


def test_accounts_released_while_a_runner_works_are_taken_on_its_next_pass(
    tmp_path: Path, postgres_url: str
) -> None:
    """Seven accounts are held by another runner, which ends (its connections close) while
    this one applies the eighth, having finished four of them: whichever of the seven this one
    found held, it takes on its next pass, applies the three left unfinished and notes the
    four finished, which plan empty."""
    accounts = make_accounts(tmp_path, tuple(f"conta-{n}" for n in range(8)), clients=3)
    free, unfinished, finished = accounts[0], accounts[1:4], accounts[4:]
    held = [account.name for account in accounts if account is not free]
    with serving(accounts) as env, holding(postgres_url, *held) as connections:

        def city(value: object) -> object:
            if connections[0].closed:
                return value
            release(connections)
            other = ["apply", "--auto-approve", "--state-url", postgres_url]
            for account in finished:
                other += ["-f", str(account.file)]
            ended = subprocess.run(
                [sys.executable, "-m", "reconciler", *other],
                env={**os.environ, **env},
                capture_output=True,
                check=False,
            )
            assert ended.returncode == 0, ended.stdout + ended.stderr
            return value

        free.sandbox.rewrites = {"client.city": city}
        result = run_cli(
            [
                "apply",
                "-f",
                str(tmp_path / "accounts"),
                "--shard",
                "auto",
                "--auto-approve",
                "--state-url",
                postgres_url,
            ],
            {**env, "RECONCILER_ACCOUNTS_AT_ONCE": "1"},
        )
    assert result.exit_code == 0, result.output
    assert TAKEN not in result.stderr, result.stderr
    shown = headings(result.stdout)
    for account in [free, *unfinished]:
        assert account.name in shown, result.output
        assert f"note: {account.name}:" not in result.stderr, result.stderr
    for account in finished:
        noted = f"note: {account.name}: {FINISHED}" in result.stderr
        assert noted != (account.name in shown), result.output
    for account in accounts:
        assert account.shape.converged(account.sandbox) == [], account.name
        puts = [r.path for r in account.sandbox.requests if r.method == "PUT"]
        assert all(r.status != DROPPED for r in account.sandbox.requests)
        assert len(puts) == len(set(puts)) == account.shape.calls, (account.name, puts)


def test_a_claim_never_waits_and_work_under_it_records_on_its_connection(
    postgres_url: str,
) -> None:
    lock = DatabaseLock(postgres_url, "porto")
    with holding(postgres_url, "porto"), lock.claimed("runner B") as got:
        assert got is False
    with lock.claimed("runner A") as got:
        assert got is True
        claim = held_lock(postgres_url, "porto")
        assert claim is not None
        with lock.held("apply"):  # the command run under the claim
            assert held_lock(postgres_url, "porto") is claim
            claim.prove()
        assert held_lock(postgres_url, "porto") is claim, "the claim ended with the command"
        refused: list[BaseException] = []

        def elsewhere() -> None:
            try:
                with DatabaseLock(postgres_url, "porto").held("another thread"):
                    pass
            except LockHeld as error:
                refused.append(error)

        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
        assert len(refused) == 1, "another thread took the claimed lock"
    with lock.claimed("runner C") as got:
        assert got is True, "the claim was not released"
