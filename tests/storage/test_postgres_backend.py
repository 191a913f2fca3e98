"""The known state in a real PostgreSQL database: applies converge, stale writers are refused,
one run at a time per account, a lost connection fails clearly, no secret is stored, and a
known state moves between its file and the database without changing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from reconciler.core.known import KnownState, Record
from reconciler.errors import LockHeld, StateFileError
from reconciler.sandbox import Faults, Sandbox
from reconciler.storage.postgres import SCHEMA_VERSION, PostgresStore
from reconciler.storage.postgres_lock import DatabaseLock
from reconciler.storage.state_file import StateStore
from tests.support.cli_process import API_KEY, AT_PASSWORD, environment, run_cli, spawn
from tests.support.leaks import forms
from tests.support.many_clients import Fleet
from tests.support.postgres import PostgresServer, dbname


def _record(city: str) -> Record:
    return Record(applied={"city": city}, applied_at="2026-01-01T00:00:00+00:00")


def _apply(fleet: Fleet, url: str, *extra: str) -> list[str]:
    return ["apply", "-f", str(fleet.desired), "--auto-approve", "--state-url", url, *extra]


def _slow_sandbox(fleet: Fleet) -> Sandbox:
    """One call at a time, each answered slowly, so an apply holds the lock for a while."""
    return Sandbox(
        api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0, faults=Faults(latency=0.05)
    )


def _wait_for_requests(sandbox: Sandbox, child: subprocess.Popen[bytes], count: int) -> None:
    """Wait until the child apply has made ``count`` requests (it is still running)."""
    deadline = time.monotonic() + 60
    while len(sandbox.requests) < count:
        assert child.poll() is None, "the apply ended before it was expected to"
        assert time.monotonic() < deadline, "the apply never reached the sandbox"
        time.sleep(0.01)


def _wait_until_gone(url: str, pid: int) -> None:
    """Wait until the server backend ``pid`` has exited and holds no lock."""
    gone = (
        "SELECT NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = %(pid)s)"
        " AND NOT EXISTS (SELECT FROM pg_locks WHERE pid = %(pid)s)"
    )
    deadline = time.monotonic() + 60
    with psycopg.connect(url, autocommit=True) as db:
        while db.execute(gone, {"pid": pid}).fetchone() != (True,):
            assert time.monotonic() < deadline, f"backend {pid} never exited"
            time.sleep(0.01)


def test_apply_with_the_database_then_plan_is_empty(tmp_path: Path, postgres_url: str) -> None:
    fleet = Fleet(tmp_path, 5).write()
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url)
        applied = run_cli(_apply(fleet, postgres_url), env)
        assert applied.exit_code == 0, applied.output
        plan = ["plan", "-f", str(fleet.desired), "--detailed-exitcode"]
        replanned = run_cli([*plan, "--state-url", postgres_url], env)
        from_settings = run_cli(plan, {**env, "RECONCILER_STATE_URL": postgres_url})
    assert replanned.exit_code == 0, replanned.output
    assert "No changes" in replanned.stdout
    assert from_settings.exit_code == 0 and "No changes" in from_settings.stdout
    assert fleet.converged(sandbox) == []
    assert not fleet.state_file.exists(), "nothing is written to the state file"
    known = PostgresStore(postgres_url, "state").load()
    assert fleet.done(known) == {f"client:{n}" for n in fleet.client_ids} | {
        "account:12345",
        "registration:146090",
        "default_sequence",
    }
    assert known.serial == fleet.calls


def test_a_stale_writer_is_refused(postgres_url: str) -> None:
    first, second = PostgresStore(postgres_url, "acme"), PostgresStore(postgres_url, "acme")
    base = first.load().applied("client:1", _record("Lisboa"))
    first.save(base)
    mine, theirs = first.load(), second.load()
    theirs = theirs.applied("client:2", _record("Porto"))
    second.append(theirs, "client:2")
    stale = mine.applied("client:3", _record("Faro"))
    with pytest.raises(StateFileError, match="another run wrote the known state"):
        first.append(stale, "client:3")
    with pytest.raises(StateFileError, match="serial 2, this run has 1"):
        first.save(mine)
    with pytest.raises(StateFileError, match="another history"):
        first.save(KnownState.new().applied("client:1", _record("Braga")))
    assert first.load() == theirs
    other = PostgresStore(postgres_url, "other-account")
    assert not other.exists() and other.load().resources == {}


def test_successes_committed_together_keep_the_last_record_and_serial(postgres_url: str) -> None:
    store = PostgresStore(postgres_url, "acme")
    first = store.load().applied("client:1", _record("Lisboa"))
    second = first.applied("client:2", _record("Porto"))
    third = second.applied("client:1", _record("Faro"))
    store.append_all([(first, "client:1"), (second, "client:2"), (third, "client:1")])
    assert PostgresStore(postgres_url, "acme").load() == third
    stale = first.applied("client:3", _record("Braga"))
    with pytest.raises(StateFileError, match="another run wrote the known state"):
        store.append_all([(stale, "client:3")])
    assert PostgresStore(postgres_url, "acme").load() == third


def test_reading_creates_nothing_and_tables_of_a_newer_version_are_refused(
    postgres_url: str,
) -> None:
    store = PostgresStore(postgres_url, "acme")
    assert not store.exists() and store.load().resources == {}
    with psycopg.connect(postgres_url, autocommit=True) as db:
        assert db.execute("SELECT to_regclass('reconciler_schema')").fetchone() == (None,)
        store.save(KnownState.new())  # the first write creates the tables
        assert db.execute("SELECT version FROM reconciler_schema").fetchall() == [(1,)]
        db.execute("UPDATE reconciler_schema SET version = %s", (SCHEMA_VERSION + 1,))
    with pytest.raises(StateFileError, match="newer reconciler"):
        PostgresStore(postgres_url, "acme").load()


def test_an_unreachable_database_fails_clearly_without_its_password(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, 1).write()
    url = "postgresql://someone:Pg%23Secret99@127.0.0.1:9/known?password=Other%21Secret"
    result = run_cli(
        ["plan", "-f", str(fleet.desired), "--state-url", url], environment("http://127.0.0.1:9")
    )
    assert result.exit_code == 1
    assert "cannot connect to the known-state database" in result.stderr
    assert "postgresql://someone:***@127.0.0.1:9/known?password=***" in result.stderr
    for secret in ("Pg%23Secret99", "Pg#Secret99", "Other%21Secret", "Other!Secret"):
        assert secret not in result.output
    assert "Traceback" not in result.output


def test_a_second_apply_fails_at_once_naming_the_first(tmp_path: Path, postgres_url: str) -> None:
    fleet = Fleet(tmp_path, 10).write()
    sandbox = _slow_sandbox(fleet)
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url, RECONCILER_CONCURRENCY="1")
        first = spawn(_apply(fleet, postgres_url), env, tmp_path)
        _wait_for_requests(sandbox, first, 1)
        second = run_cli(_apply(fleet, postgres_url), env)
        assert first.poll() is None, "the first apply should still be running"
        assert first.wait(timeout=60) == 0, (tmp_path / "child.out").read_text()
    assert second.exit_code == 1
    assert "another run holds the lock in the database" in second.stderr
    assert f"pid {first.pid} on" in second.stderr and "reconciler apply -f" in second.stderr
    puts = Counter(r.path for r in sandbox.requests if r.method == "PUT")
    assert len(puts) == fleet.calls and set(puts.values()) == {1}
    assert fleet.converged(sandbox) == []


def test_a_second_apply_waits_with_lock_timeout(tmp_path: Path, postgres_url: str) -> None:
    fleet = Fleet(tmp_path, 10).write()
    sandbox = _slow_sandbox(fleet)
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url, RECONCILER_CONCURRENCY="1")
        first = spawn(_apply(fleet, postgres_url), env, tmp_path)
        _wait_for_requests(sandbox, first, 1)
        second = run_cli(_apply(fleet, postgres_url, "--lock-timeout", "60"), env)
        assert first.wait(timeout=60) == 0, (tmp_path / "child.out").read_text()
    assert second.exit_code == 0, second.output
    assert "No changes" in second.stdout, "it planned only once the first apply was done"
    puts = Counter(r.path for r in sandbox.requests if r.method == "PUT")
    assert len(puts) == fleet.calls and set(puts.values()) == {1}


def test_a_lock_timeout_that_runs_out_names_the_holder(tmp_path: Path, postgres_url: str) -> None:
    lock = DatabaseLock(postgres_url, "state")
    unlock = ["force-unlock", "-f", str(tmp_path / "state.yaml"), "--state-url", postgres_url]
    with lock.held("reconciler apply -f state.yaml"):
        started = time.monotonic()
        with (
            pytest.raises(LockHeld, match=r"after waiting 0\.3 s: backend \d+ \(pid \d+ on"),
            lock.held("reconciler apply -f state.yaml", timeout=0.3),
        ):
            pass
        assert time.monotonic() - started >= 0.3  # it waited out its timeout
        refused = run_cli(unlock, {})
        assert refused.exit_code == 1, refused.output
        holder = re.search(r"held in the database by backend (\d+) ", refused.stderr)
        assert holder, refused.stderr
        assert f"pg_terminate_backend({holder[1]})" in refused.stderr
        with DatabaseLock(postgres_url, "another-account").held("reconciler apply"):
            pass  # each account has its own lock
    # The server releases the lock as the holder's backend exits, a moment after the client
    # closed the connection: wait for that backend to be gone.
    _wait_until_gone(postgres_url, int(holder[1]))
    done = run_cli(unlock, {})
    assert done.exit_code == 0 and "nothing to do" in done.stdout


def test_an_apply_whose_connection_is_terminated_fails_clearly_and_a_rerun_converges(
    tmp_path: Path, postgres_url: str, postgres_server: PostgresServer
) -> None:
    fleet = Fleet(tmp_path, 30).write()
    sandbox = _slow_sandbox(fleet)
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url, RECONCILER_CONCURRENCY="1")
        child = spawn(_apply(fleet, postgres_url), env, tmp_path)
        _wait_for_requests(sandbox, child, 8)
        # One connection: it holds the lock and records the successes.
        assert postgres_server.terminate_backends(dbname(postgres_url)) >= 1
        assert child.wait(timeout=60) == 3  # calls were made
        output = (tmp_path / "child.out").read_text()
        assert "error: postgresql://postgres@127.0.0.1:" in output
        assert "lost the known-state lock" in output
        assert "stopped before the next call" in output and "Traceback" not in output
        recorded = PostgresStore(postgres_url, "state").load()
        assert 0 < len(recorded.resources) < fleet.calls
        rerun = run_cli(_apply(fleet, postgres_url), env)
        assert rerun.exit_code == 0, rerun.output
        replanned = run_cli(["plan", "-f", str(fleet.desired), "--state-url", postgres_url], env)
    assert "No changes" in replanned.stdout
    assert fleet.converged(sandbox) == []
    puts = Counter(r.path for r in sandbox.requests if r.method == "PUT")
    # Repeated: the call whose success could not be recorded, and the one in flight after it.
    assert max(puts.values()) <= 2 and sum(puts.values()) <= fleet.calls + 2


def test_no_secret_is_stored_in_the_database(tmp_path: Path, postgres_url: str) -> None:
    fleet = Fleet(tmp_path, 3).write()
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        result = run_cli(_apply(fleet, postgres_url), environment(base_url))
    assert result.exit_code == 0, result.output
    dump = []
    with psycopg.connect(postgres_url) as db:
        tables = db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
        assert [t for (t,) in tables] == [
            "reconciler_records",
            "reconciler_schema",
            "reconciler_states",
        ]
        for (table,) in tables:
            query = psycopg.sql.SQL("SELECT t::text FROM {} t").format(
                psycopg.sql.Identifier(table)
            )
            dump += [row for (row,) in db.execute(query)]
    text = "\n".join(dump)
    assert "hmac-sha256:" in text, "the AT password is recorded as a digest"
    for secret in (API_KEY, AT_PASSWORD):
        assert [form for form in forms(secret) if form in text] == [], secret


def test_move_file_to_database_and_back_keeps_everything(tmp_path: Path, postgres_url: str) -> None:
    fleet = Fleet(tmp_path, 4).write()
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url)
        applied = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)
        assert applied.exit_code == 0, applied.output
        original = fleet.known()
        move = ["state", "move", "-f", str(fleet.desired), "--state-url", postgres_url]
        to_database = run_cli([*move, "--to", "database"], env)
        assert to_database.exit_code == 0, to_database.output
        assert f"lineage {original.lineage}, serial {original.serial}" in to_database.stdout
        assert not fleet.state_file.exists()
        assert fleet.state_file.with_name("state.state.json.moved").exists()
        in_database = PostgresStore(postgres_url, "state").load()
        assert in_database.to_json() == original.to_json()
        plan = ["plan", "-f", str(fleet.desired), "--detailed-exitcode"]
        assert run_cli([*plan, "--state-url", postgres_url], env).exit_code == 0
        to_file = run_cli([*move, "--to", "file"], env)
        assert to_file.exit_code == 0, to_file.output
        assert "deleted from the database" in to_file.stdout
        assert fleet.known().to_json() == original.to_json()
        assert not PostgresStore(postgres_url, "state").exists()
        assert run_cli(plan, env).exit_code == 0
    again = run_cli([*move, "--to", "file"], env)
    assert again.exit_code == 1 and "nothing to move" in again.stderr


def test_move_refuses_a_destination_of_another_history(tmp_path: Path, postgres_url: str) -> None:
    fleet = Fleet(tmp_path, 1).write()
    in_file = KnownState.new().applied("client:1", _record("Lisboa"))
    StateStore(fleet.state_file).save(in_file)
    in_database = KnownState.new().applied("client:1", _record("Porto"))
    PostgresStore(postgres_url, "state").save(in_database)
    move = ["state", "move", "-f", str(fleet.desired), "--state-url", postgres_url]
    for to in ("database", "file"):
        result = run_cli([*move, "--to", to], {})
        assert result.exit_code == 1, result.output
        assert "holds another history" in result.stderr and "not overwritten" in result.stderr
    assert fleet.known() == in_file
    assert PostgresStore(postgres_url, "state").load() == in_database
    assert StateStore(fleet.state_file).exists()


def test_state_and_state_url_together_are_refused(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, 1).write()
    args = [
        "plan",
        "-f",
        str(fleet.desired),
        "--state",
        "x.json",
        "--state-url",
        "postgresql://h/d",
    ]
    result = run_cli(args, {})
    assert result.exit_code == 1 and "give one of them" in result.stderr
    bad = run_cli(["plan", "-f", str(fleet.desired), "--state-url", "mysql://u:pw@h/d"], {})
    assert bad.exit_code == 1 and "postgresql:// URL" in bad.stderr and "pw" not in bad.stderr


def test_a_saved_plan_is_applied_to_the_database_it_was_made_from(
    tmp_path: Path, postgres_url: str
) -> None:
    fleet = Fleet(tmp_path, 3).write()
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    saved = tmp_path / "reviewed.plan.json"
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url)
        assert run_cli(_apply(fleet, postgres_url), env).exit_code == 0
        changed = Fleet(tmp_path, 3, revision=1).write()
        args = ["plan", "-f", str(changed.desired), "--state-url", postgres_url]
        assert run_cli([*args, "--out", str(saved)], env).exit_code == 0
        applied = run_cli(["apply", str(saved)], env)  # the plan names its database
        assert applied.exit_code == 0, applied.output
    assert changed.converged(sandbox) == []
    assert PostgresStore(postgres_url, "state").load().serial == fleet.calls + changed.calls


BLOCKED = """
import sys
import threading
sys.modules["psycopg"] = None  # as if it were not installed
from reconciler.cli import main
main(sys.argv[1:])
"""


def test_without_psycopg_files_work_and_a_database_asks_for_the_extra(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, 1).write()
    env = {**os.environ, **environment("http://127.0.0.1:9")}
    plan = [sys.executable, "-c", BLOCKED, "plan", "-f", str(fleet.desired)]
    with_file = subprocess.run(plan, env=env, capture_output=True, text=True, timeout=60)
    assert with_file.returncode == 0, with_file.stderr
    assert "Plan: 4 calls" in with_file.stdout
    url = "postgresql://postgres@127.0.0.1:9/known"
    with_database = subprocess.run(
        [*plan, "--state-url", url], env=env, capture_output=True, text=True, timeout=60
    )
    assert with_database.returncode == 1
    assert "needs psycopg: pip install 'invoicexpress-reconciler[postgres]'" in with_database.stderr


def test_writers_meeting_an_empty_database_at_once_create_the_tables_once(
    postgres_url: str,
) -> None:
    # Each writer of a fleet reaches a new database at the same moment: one creates the
    # tables, the others wait for it and use them.
    writers = 8
    barrier = threading.Barrier(writers)
    failures: list[BaseException] = []

    def first_write(number: int) -> None:
        store = PostgresStore(postgres_url, f"account-{number}")
        barrier.wait()
        try:
            store.save(KnownState.new())
        except BaseException as error:  # collected for the assertion below
            failures.append(error)
        finally:
            store.close()

    threads = [threading.Thread(target=first_write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with psycopg.connect(postgres_url) as db:
        assert db.execute("SELECT count(*) FROM reconciler_states").fetchone() == (writers,)
        assert db.execute("SELECT version FROM reconciler_schema").fetchall() == [(SCHEMA_VERSION,)]
