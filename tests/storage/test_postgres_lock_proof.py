"""The database lock is a proof: held on the connection that records, checked before each batch.

A real PostgreSQL server and the sandbox over HTTP: the store records on the lock's own
connection, never reconnects without the lock, proves the lock is still granted to that
connection, and an apply that cannot prove it sends no call.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import psycopg
import pytest
from pydantic import SecretStr

from reconciler.api.api_client import ApiClient
from reconciler.core.known import KnownState, Record
from reconciler.core.plan import build_plan
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import load_desired
from reconciler.errors import LockLost, StateWriteError
from reconciler.sandbox import Sandbox
from reconciler.settings import ToolSettings
from reconciler.storage.postgres import PostgresStore
from reconciler.storage.postgres_lock import DatabaseLock, held_lock, lock_key
from reconciler.workflows.apply import apply_plan, save_applied
from tests.support.cli_process import API_KEY, AT_PASSWORD
from tests.support.many_clients import Fleet


def _record(city: str) -> Record:
    return Record(applied={"city": city}, applied_at="2026-01-01T00:00:00+00:00")


def _own_backends(url: str) -> set[int]:
    """The server processes of this test process's reconciler connections."""
    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name LIKE %s",
            (f"pid {os.getpid()} %",),
        ).fetchall()
    return {int(row[0]) for row in rows}


def _terminate(url: str, pid: int) -> None:
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_under_the_lock_the_store_records_on_the_lock_connection_alone(postgres_url: str) -> None:
    with DatabaseLock(postgres_url, "a").held("test"):
        held = held_lock(postgres_url, "a")
        assert held is not None
        store = PostgresStore(postgres_url, "a")
        state = KnownState.new().applied("client:1", _record("Porto"), None)
        store.append(state, "client:1")
        store.prove_lock()
        assert _own_backends(postgres_url) == {held.connection.info.backend_pid}
        assert store.load() == state
    assert held_lock(postgres_url, "a") is None
    assert PostgresStore(postgres_url, "a").load() == state  # a connection of its own again


def test_a_lock_no_longer_granted_to_its_connection_is_not_proved(postgres_url: str) -> None:
    with DatabaseLock(postgres_url, "a").held("test"):
        held = held_lock(postgres_url, "a")
        assert held is not None
        held.connection.execute("SELECT pg_advisory_unlock(%s)", (lock_key("a"),))
        with pytest.raises(LockLost, match="no longer grants it to this run's connection"):
            PostgresStore(postgres_url, "a").prove_lock()


def test_a_store_whose_lock_connection_ended_never_reconnects_without_the_lock(
    postgres_url: str,
) -> None:
    store = PostgresStore(postgres_url, "a")
    first = KnownState.new().applied("client:1", _record("Porto"), None)
    with DatabaseLock(postgres_url, "a").held("test"):
        store.append(first, "client:1")
        held = held_lock(postgres_url, "a")
        assert held is not None
        _terminate(postgres_url, held.connection.info.backend_pid)
        with pytest.raises(LockLost, match="lost the known-state lock"):
            store.prove_lock()
        second = first.applied("client:2", _record("Braga"), None)
        with pytest.raises(LockLost, match="stopped before the next call"):
            store.append(second, "client:2")
        # The lock is free for another runner, and nothing was written without it.
        with DatabaseLock(postgres_url, "a").held("runner B"):
            assert PostgresStore(postgres_url, "a").load() == first


def test_an_apply_that_cannot_prove_the_lock_makes_no_call(
    tmp_path: Path, postgres_url: str
) -> None:
    fleet = Fleet(tmp_path, 5).write()
    store = PostgresStore(postgres_url, "state")
    desired = load_desired(fleet.desired, {"AT_PASSWORD": AT_PASSWORD})
    plan = build_plan(desired, KnownState.new(), DigestKey(API_KEY))

    async def apply(base_url: str) -> None:
        tool = ToolSettings(rate_limit=0, concurrency=4)
        async with ApiClient(base_url, SecretStr(API_KEY), tool) as client:
            await apply_plan(plan, client, store, KnownState.new(), concurrency=4)

    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    with (
        sandbox.running_in_thread() as base_url,
        DatabaseLock(postgres_url, "state").held("test"),
    ):
        held = held_lock(postgres_url, "state")
        assert held is not None
        _terminate(postgres_url, held.connection.info.backend_pid)
        with pytest.raises(LockLost) as lost:
            asyncio.run(apply(base_url))
    assert (lost.value.made, lost.value.recorded) == (0, 0)
    assert lost.value.counts().startswith("Apply: 0 calls made, 0 recorded")
    assert [r for r in sandbox.requests if r.method != "GET"] == []


class _Counting(PostgresStore):
    """The real store, counting its proofs and the calls the sandbox had answered at each."""

    def __init__(self, url: str, account: str, sandbox: Sandbox) -> None:
        super().__init__(url, account)
        self.sandbox = sandbox
        self.answered_at_proof: list[int] = []

    def prove_lock(self) -> None:
        self.answered_at_proof.append(sum(1 for r in self.sandbox.requests if r.method == "PUT"))
        super().prove_lock()


def test_one_call_at_a_time_proves_the_lock_before_each_call(
    tmp_path: Path, postgres_url: str
) -> None:
    fleet = Fleet(tmp_path, 5).write()
    desired = load_desired(fleet.desired, {"AT_PASSWORD": AT_PASSWORD})
    plan = build_plan(desired, KnownState.new(), DigestKey(API_KEY))
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    store = _Counting(postgres_url, "state", sandbox)

    async def apply(base_url: str) -> None:
        tool = ToolSettings(rate_limit=0, concurrency=1)
        async with ApiClient(base_url, SecretStr(API_KEY), tool) as client:
            report = await apply_plan(plan, client, store, KnownState.new(), concurrency=1)
        assert report.ok

    with (
        sandbox.running_in_thread() as base_url,
        DatabaseLock(postgres_url, "state").held("test"),
    ):
        asyncio.run(apply(base_url))
    assert store.answered_at_proof == list(range(fleet.calls))


def test_a_save_after_the_calls_on_a_lost_connection_says_every_success_was_committed(
    postgres_url: str,
) -> None:
    store = PostgresStore(postgres_url, "a")
    state = KnownState.new().applied("client:1", _record("Porto"), None)
    with DatabaseLock(postgres_url, "a").held("test"):
        store.append(state, "client:1")
        held = held_lock(postgres_url, "a")
        assert held is not None
        _terminate(postgres_url, held.connection.info.backend_pid)
        with pytest.raises(StateWriteError) as failed:
            save_applied(store, state)
    assert not isinstance(failed.value, LockLost)  # exit 3 whatever the counts
    assert "lost the known-state lock" in str(failed.value)
    assert "Every success of this apply was committed as it happened" in str(failed.value)
    reason = "lost the known-state lock (its connection failed: terminating connection"
    assert failed.value.reason.startswith(reason), failed.value.reason
    assert failed.value.path == store.where
    assert str(failed.value) == (
        f"{store.where}: cannot write: {failed.value.reason}. Every success of this apply was "
        "committed as it happened; the next apply plans from them"
    )
    assert PostgresStore(postgres_url, "a").load() == state
