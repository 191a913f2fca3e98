"""A fleet's plan reads every account's known state over a few connections kept for the run:
one per account planned at once, not one per account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.sandbox import Sandbox
from tests.postgres_fixtures import own_server
from tests.support.cli_process import environment, run_cli
from tests.support.many_clients import Fleet
from tests.support.postgres import PostgresServer, dbname

ACCOUNTS = 12
AT_ONCE = 2


@pytest.fixture(scope="module")
def logging_server() -> Iterator[PostgresServer]:
    """A cluster that logs every connection it accepts."""
    with own_server(log_connections="on") as server:
        yield server


def connections_to(server: PostgresServer, database: str) -> int:
    """How many connections to ``database`` the server has accepted so far (each is logged
    before the client's connection is ready, so none of a finished run is missing)."""
    log = (server.root / "server.log").read_text(errors="replace")
    return sum(
        1
        for line in log.splitlines()
        if "connection authorized:" in line and f"database={database} " in f"{line} "
    )


def test_a_no_op_fleet_plan_opens_one_read_connection_per_account_at_once(
    tmp_path: Path, logging_server: PostgresServer
) -> None:
    shape = Fleet(tmp_path / "shape", 2)
    shape.folder.mkdir()
    shape.write()
    files = tmp_path / "accounts"
    files.mkdir()
    for number in range(ACCOUNTS):
        (files / f"account-{number:03d}.yaml").write_text(shape.desired.read_text())
    url = logging_server.create_database()
    sandbox = Sandbox(api_key="reliability-test-key", data=shape.sandbox_data(), rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        env = environment(
            base_url, RECONCILER_STATE_URL=url, RECONCILER_ACCOUNTS_AT_ONCE=str(AT_ONCE)
        )
        applied = run_cli(["apply", "-f", str(files), "--auto-approve"], env)
        assert applied.exit_code == 0, applied.output
        before = connections_to(logging_server, dbname(url))
        planned = run_cli(["plan", "-f", str(files), "--detailed-exitcode"], env)
    assert planned.exit_code == 0, planned.output
    assert planned.stdout.count("No changes.") == ACCOUNTS
    opened = connections_to(logging_server, dbname(url)) - before
    # One per account planned at once, and the one that checks the database is reachable.
    assert 1 <= opened <= AT_ONCE + 1, opened
