"""A fleet keeps to its bounds on the known-state database: a few connections whatever its
size, and one attempt, one message, when the database can't be reached."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from reconciler.sandbox import Sandbox
from tests.postgres_fixtures import own_server
from tests.support.cli_process import environment, run_cli
from tests.support.fleet_accounts import headings
from tests.support.many_clients import Fleet
from tests.support.postgres import PostgresServer

ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = 60
AT_ONCE = 4


def _accounts(folder: Path, count: int) -> tuple[Fleet, Path]:
    """``count`` desired files of one client each, all for the one sandbox account."""
    shape = Fleet(folder / "shape", 1)
    shape.folder.mkdir()
    shape.write()
    files = folder / "accounts"
    files.mkdir()
    for number in range(count):
        (files / f"account-{number:03d}.yaml").write_text(shape.desired.read_text())
    return shape, files


@pytest.fixture(scope="module")
def small_server() -> Iterator[PostgresServer]:
    """A cluster admitting 20 connections: fewer than the fleet's accounts."""
    with own_server(max_connections="20") as server:
        yield server


def test_sixty_accounts_plan_and_apply_on_a_server_admitting_twenty_connections(
    tmp_path: Path, small_server: PostgresServer
) -> None:
    shape, files = _accounts(tmp_path, ACCOUNTS)
    url = small_server.create_database()
    sandbox = Sandbox(api_key="reliability-test-key", data=shape.sandbox_data(), rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        env = environment(
            base_url, RECONCILER_STATE_URL=url, RECONCILER_ACCOUNTS_AT_ONCE=str(AT_ONCE)
        )
        planned = run_cli(["plan", "-f", str(files), "--detailed-exitcode"], env)
        assert planned.exit_code == 2, planned.output
        assert len(headings(planned.stdout)) == ACCOUNTS
        applied = run_cli(["apply", "-f", str(files), "--auto-approve"], env)
        assert applied.exit_code == 0, applied.output
        assert f"Fleet: {ACCOUNTS} accounts: {ACCOUNTS} converged" in applied.stdout
        again = run_cli(["plan", "-f", str(files), "--detailed-exitcode"], env)
    assert again.exit_code == 0, again.output
    assert again.stdout.count("No changes.") == ACCOUNTS
    assert shape.converged(sandbox) == []


class Hanging:
    """A TCP listener on 127.0.0.1 that accepts every connection and never answers."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:  # closed
                return
            self.accepted.append(connection)

    def close(self) -> None:
        self._listener.close()
        for connection in self.accepted:
            connection.close()


@pytest.fixture
def hanging() -> Iterator[Hanging]:
    server = Hanging()
    try:
        yield server
    finally:
        server.close()


@pytest.mark.parametrize("output_format", ["text", "json", "markdown"])
def test_a_database_that_never_answers_stops_the_fleet_after_one_attempt(
    tmp_path: Path, hanging: Hanging, output_format: str
) -> None:
    _, files = _accounts(tmp_path, 50)
    env = environment(
        "http://127.0.0.1:9",
        RECONCILER_STATE_URL=f"postgresql://postgres@127.0.0.1:{hanging.port}/reconciler",
        RECONCILER_CONNECT_TIMEOUT="1",
    )
    result = run_cli(["plan", "-f", str(files), "--format", output_format], env)
    assert result.exit_code == 1, result.output
    assert len(hanging.accepted) == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert "cannot connect to the known-state database" in errors[0]
    if output_format == "json":
        document = json.loads(result.stdout)
        schema = json.loads((ROOT / "schema" / "fleet-plan.schema.json").read_text())
        jsonschema.validate(document, schema)
        assert document["summary"]["not_attempted"] == 50
        assert all(entry["attempted"] is False for entry in document["accounts"])
    elif output_format == "markdown":
        assert result.stdout.count("**not attempted**") == 50
    else:
        assert "50 not attempted" in result.stdout
        assert "not attempted: account-000, account-001," in result.stdout


@pytest.mark.parametrize("fault", ["settings", "file"])
def test_identical_failures_are_reported_once_with_their_count_and_names(
    tmp_path: Path, fault: str
) -> None:
    _, files = _accounts(tmp_path, 3)
    env = environment("http://127.0.0.1:9")
    if fault == "settings":
        env["RECONCILER_STATE_URL"] = "mysql://db/x"
    else:  # each file names itself in its message: accounts/account-000.yaml:5:16 ...
        for file in files.iterdir():
            file.write_text(file.read_text().replace("postal_code: 1500-555", "postal_code: 15"))
    result = run_cli(["plan", "-f", str(files)], env)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith("error: 3 accounts (account-000, account-001, account-002): "), (
        errors[0]
    )
    if fault == "file":
        assert "<account>.yaml" in result.stderr, result.stderr


def test_a_database_going_away_mid_fleet_starts_no_further_account(tmp_path: Path) -> None:
    shape, files = _accounts(tmp_path, 5)
    sandbox = Sandbox(api_key="reliability-test-key", data=shape.sandbox_data(), rate_limit=0)
    with own_server() as server:
        url = server.create_database()

        def stopping(value: object) -> object:  # the first account's client write
            server.stop()
            return value

        sandbox.rewrites = {"client.city": stopping}
        with sandbox.running_in_thread() as base_url:
            env = environment(base_url, RECONCILER_STATE_URL=url, RECONCILER_ACCOUNTS_AT_ONCE="1")
            result = run_cli(["apply", "-f", str(files), "--auto-approve"], env)
    assert result.exit_code == 1, result.output
    unreachable = [line for line in result.stderr.splitlines() if "cannot connect" in line]
    assert len(unreachable) == 1, result.stderr
    assert unreachable[0].startswith("error: account-001: "), result.stderr
    assert "not attempted: account-002, account-003, account-004" in result.stdout
    assert "3 not attempted" in result.stdout
