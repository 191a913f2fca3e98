"""An apply whose known state is in PostgreSQL, when the database stops taking its successes.

The sandbox (or a server answering a registration) over HTTP, a real PostgreSQL server, and the
connection ended with ``pg_terminate_backend`` at a moment the test chooses: as the server takes
a call, before it answers. Under the lock, the call whose success can't be committed fails as
made but not recorded, no further call is made, and ``LockLost`` counts the calls made and
recorded; without the lock (the store's own connection), the apply ends with the database's
error. Either way the database holds exactly the successes before.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

import psycopg
import pytest
from aiohttp import web
from pydantic import SecretStr

from reconciler.api.api_client import ApiClient
from reconciler.core.known import KnownState
from reconciler.core.plan import Plan, build_plan
from reconciler.core.report import Outcome, Status
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import load_desired
from reconciler.errors import LockLost, StateFileError
from reconciler.sandbox import Sandbox
from reconciler.settings import ToolSettings
from reconciler.storage.postgres import PostgresStore
from reconciler.storage.postgres_lock import DatabaseLock, held_lock
from reconciler.workflows.apply import LOCK_LOST, NOT_RECORDED, apply_plan
from tests.support.cli_process import API_KEY
from tests.support.hostile import serving
from tests.support.many_clients import SEQUENCE, Fleet

CLIENTS = range(1000, 1005)
FAILING = 1002


def _plan(folder: Path, text: str, creatable: frozenset[str] = frozenset()) -> Plan:
    (folder / "state.yaml").write_text(text, encoding="utf-8")
    desired = load_desired(folder / "state.yaml", {})
    return build_plan(desired, KnownState.new(), DigestKey(API_KEY), creatable=creatable)


def _clients(folder: Path) -> Plan:
    lines = ["clients:"]
    for number in CLIENTS:
        lines += [f"  - id: {number}", f"    code: C{number}", f"    name: Cliente {number}"]
        lines.append(f"    city: Porto {number}")
    return _plan(folder, "\n".join(lines) + "\n")


def _apply(base_url: str, plan: Plan, store: PostgresStore, heard: list[Outcome]) -> None:
    async def run() -> None:
        async with ApiClient(base_url, SecretStr(API_KEY), ToolSettings(rate_limit=0)) as client:
            await apply_plan(
                plan, client, store, KnownState.new(), concurrency=1, on_outcome=heard.append
            )

    asyncio.run(run())


def _terminate(url: str, pid: int) -> None:
    """End the server process ``pid`` and wait until it is gone."""
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("SELECT pg_terminate_backend(%s, 30000)", (pid,))


def _own_backend(url: str) -> int:
    """The server process of this test process's one reconciler connection to the test's
    database."""
    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE application_name LIKE %s AND datname = current_database()",
            (f"pid {os.getpid()} %",),
        ).fetchall()
    [(pid,)] = rows
    return int(pid)


def _updated(sandbox: Sandbox) -> list[int]:
    return [int(r.path.split("/")[2].split(".")[0]) for r in sandbox.requests if r.method == "PUT"]


def _sandbox(tmp_path: Path) -> Sandbox:
    """A sandbox holding the clients of ``_clients``, with no rate limit."""
    return Sandbox(api_key=API_KEY, data=Fleet(tmp_path, len(CLIENTS)).sandbox_data(), rate_limit=0)


def _recorded(url: str) -> list[str]:
    return sorted(PostgresStore(url, "state").load().resources)


def test_a_lock_lost_as_a_success_is_committed_stops_the_apply_and_counts_the_calls(
    tmp_path: Path, postgres_url: str
) -> None:
    plan = _clients(tmp_path)
    store = PostgresStore(postgres_url, "state")
    sandbox = _sandbox(tmp_path)
    heard: list[Outcome] = []
    with DatabaseLock(postgres_url, "state").held("test"):
        held = held_lock(postgres_url, "state")
        assert held is not None

        def end_the_lock(city: object) -> object:
            if city == f"Porto {FAILING}":
                _terminate(postgres_url, held.connection.info.backend_pid)
            return city

        sandbox.rewrites = {"client.city": end_the_lock}
        with sandbox.running_in_thread() as base_url, pytest.raises(LockLost) as lost:
            _apply(base_url, plan, store, heard)

    assert (lost.value.made, lost.value.recorded) == (3, 2)
    assert lost.value.counts().startswith("Apply: 3 calls made, 2 recorded;")
    assert "lost the known-state lock" in str(lost.value)
    assert sorted((o.call.resource, o.status, o.detail) for o in heard) == [
        ("client:1000", Status.SUCCEEDED, ""),
        ("client:1001", Status.SUCCEEDED, ""),
        ("client:1002", Status.FAILED, NOT_RECORDED),
        ("client:1003", Status.NOT_ATTEMPTED, LOCK_LOST),
        ("client:1004", Status.NOT_ATTEMPTED, LOCK_LOST),
    ]
    assert NOT_RECORDED == "made, but not recorded: the known-state lock was lost"
    assert LOCK_LOST == "the known-state lock was lost"
    assert _updated(sandbox) == [1000, 1001, 1002]
    assert _recorded(postgres_url) == ["client:1000", "client:1001"]


def test_a_connection_lost_without_the_lock_ends_the_apply_with_the_databases_error(
    tmp_path: Path, postgres_url: str
) -> None:
    plan = _clients(tmp_path)
    store = PostgresStore(postgres_url, "state")
    sandbox = _sandbox(tmp_path)

    def end_the_connection(city: object) -> object:
        if city == f"Porto {FAILING}":
            _terminate(postgres_url, _own_backend(postgres_url))
        return city

    sandbox.rewrites = {"client.city": end_the_connection}
    heard: list[Outcome] = []
    with sandbox.running_in_thread() as base_url, pytest.raises(StateFileError) as ended:
        _apply(base_url, plan, store, heard)

    assert "record a success in the known state" in str(ended.value)
    assert [(o.call.resource, o.status) for o in heard] == [
        ("client:1000", Status.SUCCEEDED),
        ("client:1001", Status.SUCCEEDED),
    ]
    assert _updated(sandbox) == [1000, 1001, 1002]
    assert _recorded(postgres_url) == ["client:1000", "client:1001"]


def test_a_registration_already_made_that_cant_be_recorded_is_named(
    tmp_path: Path, postgres_url: str
) -> None:
    plan = _plan(tmp_path, f"sequences:\n  register: [{SEQUENCE}]\n")
    store = PostgresStore(postgres_url, "state")
    heard: list[Outcome] = []
    with DatabaseLock(postgres_url, "state").held("test"):
        held = held_lock(postgres_url, "state")
        assert held is not None
        pid = held.connection.info.backend_pid

        async def already_registered(request: web.Request) -> web.Response:
            await asyncio.to_thread(_terminate, postgres_url, pid)
            body = {"code": "005", "message": "All sequences are registered."}
            return web.json_response(body, status=409)

        with serving(already_registered) as base_url, pytest.raises(LockLost) as lost:
            _apply(base_url, plan, store, heard)

    assert (lost.value.made, lost.value.recorded) == (1, 0)
    assert [(o.call.resource, o.status, o.detail) for o in heard] == [
        (f"registration:{SEQUENCE}", Status.FAILED, NOT_RECORDED)
    ]
    assert _recorded(postgres_url) == []


def test_a_registration_done_by_its_creation_that_cant_be_recorded_is_named(
    tmp_path: Path, postgres_url: str
) -> None:
    # The registration is recorded without a call, so no server can end the connection at
    # that moment: once the creation is recorded, another transaction holds the account's row,
    # and the connection is ended only when its write of the registration waits for that row.
    text = "sequences:\n  default: '2027'\n  register: ['2027']\n"
    plan = _plan(tmp_path, text, frozenset({"new-sequence:2027"}))
    store = PostgresStore(postgres_url, "state")
    sandbox = Sandbox(api_key=API_KEY, rate_limit=0)
    sandbox.edit(_with_credentials)
    heard: list[Outcome] = []
    ending: list[threading.Thread] = []
    with DatabaseLock(postgres_url, "state").held("test"):
        held = held_lock(postgres_url, "state")
        assert held is not None
        pid = held.connection.info.backend_pid

        def after(outcome: Outcome) -> None:
            heard.append(outcome)
            if outcome.call.resource == "new-sequence:2027":
                holder = psycopg.connect(postgres_url)
                holder.execute("SELECT 1 FROM reconciler_states WHERE account = 'state' FOR UPDATE")
                ending.append(
                    threading.Thread(target=_end_when_waiting, args=(postgres_url, pid, holder))
                )
                ending[0].start()

        async def run(base_url: str) -> None:
            tool = ToolSettings(rate_limit=0)
            async with ApiClient(base_url, SecretStr(API_KEY), tool) as client:
                await apply_plan(
                    plan, client, store, KnownState.new(), concurrency=1, on_outcome=after
                )

        with sandbox.running_in_thread() as base_url, pytest.raises(LockLost) as lost:
            asyncio.run(run(base_url))
        ending[0].join()

    assert (lost.value.made, lost.value.recorded) == (1, 1)
    shown = sorted((o.call.resource, o.status, o.detail) for o in heard)
    new_id = shown[-1][0].removeprefix("registration:")
    assert shown == [
        (
            "default_sequence",
            Status.SKIPPED,
            "needs registration:{new-sequence:2027}, which did not succeed",
        ),
        ("new-sequence:2027", Status.SUCCEEDED, f"created as sequence {new_id}"),
        (f"registration:{new_id}", Status.FAILED, NOT_RECORDED),
    ]
    assert _recorded(postgres_url) == ["lookup:serie:2027"]


def _with_credentials(data: dict[str, object]) -> None:
    account = data["account"]
    assert isinstance(account, dict)
    account["credentials"] = {"username": "999999990/1", "password": "cGFzcw=="}


def _end_when_waiting(url: str, pid: int, holder: psycopg.Connection[tuple[object, ...]]) -> None:
    """End server process ``pid`` once it waits for a lock ``holder`` holds, then let go (and
    only let go, should it never wait)."""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            with psycopg.connect(url, autocommit=True) as db:
                row = db.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)
                ).fetchone()
            if row is not None and row[0] == "Lock":
                _terminate(url, pid)
                return
            time.sleep(0.01)
    finally:
        holder.rollback()
        holder.close()
