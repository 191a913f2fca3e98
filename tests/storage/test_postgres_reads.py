"""Known states read over the connections a fleet keeps (``shared_reads``): the same states as
read alone, over as few connections as are read at once, every one closed at the end."""

from __future__ import annotations

import time

import psycopg
import pytest

from reconciler.core.known import KnownState, Record
from reconciler.storage.postgres import PostgresStore
from reconciler.storage.postgres_reads import shared_reads
from tests.support.postgres import PostgresServer, dbname

OTHERS = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"


def _record(city: str) -> Record:
    return Record(applied={"city": city}, applied_at="2026-01-01T00:00:00+00:00")


def _others(admin: psycopg.Connection[tuple[int]], url: str) -> int:
    """How many connections to the test database there are but ``admin``."""
    row = admin.execute(OTHERS, (dbname(url),)).fetchone()
    return int(row[0]) if row else 0


def _wait_for_none(admin: psycopg.Connection[tuple[int]], url: str) -> None:
    """Wait until no connection to the database is left but ``admin``'s (a closed one's
    server process ends shortly after the client closes it)."""
    deadline = time.monotonic() + 60
    while _others(admin, url) != 0:
        assert time.monotonic() < deadline, "a connection was left open"
        time.sleep(0.01)


def _saved(url: str, accounts: int) -> dict[str, KnownState]:
    states = {}
    for number in range(accounts):
        store = PostgresStore(url, f"account-{number}")
        state = KnownState.new().applied("client:1", _record(f"city {number}"))
        state = state.applied("client:2", _record("Porto"))
        store.save(state)
        store.close()
        states[store.account] = state
    return states


def test_reads_while_shared_give_the_same_states_over_one_connection_closed_at_the_end(
    postgres_url: str,
) -> None:
    states = _saved(postgres_url, 5)
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        _wait_for_none(admin, postgres_url)
        with shared_reads(2) as pool:
            for account, state in states.items():
                store = PostgresStore(postgres_url, account)
                assert store.exists()
                assert store.load() == state
                store.close()
            never = PostgresStore(postgres_url, "never-recorded")
            assert not never.exists() and never.load().resources == {}
            assert _others(admin, postgres_url) == 1
        _wait_for_none(admin, postgres_url)
        assert pool.limit == 2  # kept, so only closing ends its connections


def test_a_read_before_the_tables_exist_does_not_hide_them_once_written(
    postgres_url: str,
) -> None:
    with shared_reads(1):
        assert PostgresStore(postgres_url, "acme").load().serial == 0
        written = KnownState.new().applied("client:1", _record("Faro"))
        writer = PostgresStore(postgres_url, "acme")
        writer.save(written)
        writer.close()
        assert PostgresStore(postgres_url, "acme").load() == written


def test_ctrl_c_while_reading_shared_closes_every_connection(postgres_url: str) -> None:
    _saved(postgres_url, 1)
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        _wait_for_none(admin, postgres_url)
        with pytest.raises(KeyboardInterrupt), shared_reads(2) as pool:
            PostgresStore(postgres_url, "account-0").load()
            assert _others(admin, postgres_url) == 1
            raise KeyboardInterrupt
        _wait_for_none(admin, postgres_url)
        assert pool.limit == 2  # kept, so only closing ends its connections


def test_a_read_whose_kept_connections_were_lost_reads_over_a_new_one(
    postgres_url: str, postgres_server: PostgresServer
) -> None:
    states = _saved(postgres_url, 1)
    with shared_reads(2) as pool:

        def opener() -> psycopg.Connection[tuple[object, ...]]:
            return psycopg.connect(postgres_url, autocommit=True)

        with pool.borrow(postgres_url, opener), pool.borrow(postgres_url, opener):
            pass  # two connections kept, idle
        assert postgres_server.terminate_backends(dbname(postgres_url)) == 2
        assert PostgresStore(postgres_url, "account-0").load() == states["account-0"]
        assert PostgresStore(postgres_url, "account-0").exists()
