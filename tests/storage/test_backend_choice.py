"""A run never starts a new history silently: when its known state is kept elsewhere than it
looks (a state file beside the desired file while it uses a database that has no record of the
account, or the reverse), it stops before any call, names both and says how to move it."""

from __future__ import annotations

from pathlib import Path

from reconciler.core.known import KnownState, Record
from reconciler.sandbox import Sandbox
from reconciler.storage.postgres import PostgresStore
from reconciler.storage.state_file import StateStore
from tests.support.cli_process import API_KEY, environment, run_cli
from tests.support.many_clients import Fleet

PG_PASSWORD = "SENTINEL-pg-pw-9182"


def _applied_to_the_file(tmp_path: Path) -> tuple[Fleet, Sandbox]:
    fleet = Fleet(tmp_path, 2).write()
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    return fleet, sandbox


def test_a_database_run_beside_a_state_file_is_refused_until_moved(
    tmp_path: Path, postgres_url: str
) -> None:
    fleet, sandbox = _applied_to_the_file(tmp_path)
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url)
        first = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)
        assert first.exit_code == 0, first.output
        made = len(sandbox.requests)
        with_password = postgres_url.replace("postgres@", f"postgres:{PG_PASSWORD}@")
        for command in (["plan"], ["apply", "--auto-approve"], ["refresh", "--auto-approve"]):
            args = [*command, "-f", str(fleet.desired), "--state-url", with_password]
            refused = run_cli(args, env)
            assert refused.exit_code == 1, (command, refused.output)
            message = refused.stderr
            assert str(fleet.state_file) in message, message
            assert (
                "postgresql://postgres:***@127.0.0.1" in message and "(account 'state')" in message
            )
            assert f"reconciler state move -f {fleet.desired} --to database" in message
            assert len(message.strip().splitlines()) == 1, message
            assert PG_PASSWORD not in refused.output
        assert len(sandbox.requests) == made, "no call is made before the refusal"
        assert not PostgresStore(postgres_url, "state").exists(), "no empty history is started"
        move = ["state", "move", "-f", str(fleet.desired), "--state-url", postgres_url]
        moved = run_cli([*move, "--to", "database"], env)
        assert moved.exit_code == 0, moved.output
        plan = ["plan", "-f", str(fleet.desired), "--detailed-exitcode"]
        replanned = run_cli([*plan, "--state-url", postgres_url], env)
        assert replanned.exit_code == 0 and "No changes" in replanned.stdout, replanned.output


def test_a_file_run_after_the_history_moved_to_the_database_is_refused(
    tmp_path: Path, postgres_url: str
) -> None:
    fleet, sandbox = _applied_to_the_file(tmp_path)
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url)
        args = ["apply", "-f", str(fleet.desired), "--auto-approve", "--state-url", postgres_url]
        assert run_cli(args, env).exit_code == 0
        made = len(sandbox.requests)
        explicit = fleet.state_file
        with_variable = {**env, "RECONCILER_STATE_URL": postgres_url}
        cases = {
            "--state while the variable names a database holding it": (
                ["--state", str(explicit)],
                with_variable,
            ),
        }
        for why, (extra, variables) in cases.items():
            refused = run_cli(["plan", "-f", str(fleet.desired), *extra], variables)
            assert refused.exit_code == 1, (why, refused.output)
            assert str(explicit) in refused.stderr and "(account 'state')" in refused.stderr
            assert "reconciler state move" in refused.stderr and "--to file" in refused.stderr
        assert len(sandbox.requests) == made
        assert not explicit.exists()


def test_a_file_run_after_a_move_to_the_database_is_refused(
    tmp_path: Path, postgres_url: str
) -> None:
    fleet, sandbox = _applied_to_the_file(tmp_path)
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url)
        assert run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env).exit_code == 0
        move = ["state", "move", "-f", str(fleet.desired), "--state-url", postgres_url]
        assert run_cli([*move, "--to", "database"], env).exit_code == 0
        made = len(sandbox.requests)
        refused = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)
        assert refused.exit_code == 1, refused.output
        assert f"{fleet.state_file}.moved" in refused.stderr
        assert "--state-url" in refused.stderr and "RECONCILER_STATE_URL" in refused.stderr
        assert len(sandbox.requests) == made
        assert not fleet.state_file.exists(), "no new history is started in the file"


def test_state_move_never_overwrites_a_newer_record_of_the_same_history(
    tmp_path: Path, postgres_url: str
) -> None:
    fleet = Fleet(tmp_path, 1).write()
    older = KnownState.new().applied("client:1", _record("Lisboa"))
    newer = older.applied("client:1", _record("Porto"))
    move = ["state", "move", "-f", str(fleet.desired), "--state-url", postgres_url]
    for to, source, destination in (
        ("database", StateStore(fleet.state_file), PostgresStore(postgres_url, "state")),
        ("file", PostgresStore(postgres_url, "state"), StateStore(fleet.state_file)),
    ):
        source.save(older)
        destination.save(newer)
        refused = run_cli([*move, "--to", to], {})
        assert refused.exit_code == 1, refused.output
        assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
        assert source.load() == older and destination.load() == newer
        fleet.state_file.unlink()
        PostgresStore(postgres_url, "state").delete()


def _record(city: str) -> Record:
    return Record(applied={"city": city}, applied_at="2026-01-01T00:00:00+00:00")


def test_state_move_says_when_it_replaces_an_empty_history(
    tmp_path: Path, postgres_url: str
) -> None:
    fleet = Fleet(tmp_path, 1).write()
    kept = KnownState.new().applied("client:1", _record("Lisboa"))
    StateStore(fleet.state_file).save(kept)
    empty = KnownState.new()
    PostgresStore(postgres_url, "state").save(empty)
    move = ["state", "move", "-f", str(fleet.desired), "--state-url", postgres_url]
    moved = run_cli([*move, "--to", "database"], {})
    assert moved.exit_code == 0, moved.output
    assert f"replaced an empty known state (lineage {empty.lineage})" in moved.stdout
    assert PostgresStore(postgres_url, "state").load() == kept
