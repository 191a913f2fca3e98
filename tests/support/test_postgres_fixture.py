"""The PostgreSQL fixtures give a real, isolated server that tests can disturb."""

from __future__ import annotations

import psycopg
import pytest

from tests.support.postgres import PostgresServer, dbname

LOCK_KEY = 4242


def test_create_insert_and_read(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        conn.execute("CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL)")
        conn.execute("INSERT INTO item VALUES (1, 'Cliente Ção'), (2, 'outro')")
        conn.commit()
    with psycopg.connect(postgres_url) as conn:
        rows = conn.execute("SELECT id, name FROM item ORDER BY id").fetchall()
        encoding = conn.execute("SHOW server_encoding").fetchone()
    assert rows == [(1, "Cliente Ção"), (2, "outro")]
    assert encoding == ("UTF8",)


def test_fresh_databases_are_isolated(postgres_server: PostgresServer, postgres_url: str) -> None:
    other = postgres_server.create_database()
    try:
        assert dbname(other) != dbname(postgres_url)
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute("CREATE TABLE only_here (x int)")
        with psycopg.connect(other) as conn:
            found = conn.execute("SELECT to_regclass('only_here')").fetchone()
        assert found == (None,)
    finally:
        postgres_server.drop_database(dbname(other))


def test_listens_on_loopback_tcp(postgres_server: PostgresServer, postgres_url: str) -> None:
    assert (
        postgres_url
        == f"postgresql://postgres@127.0.0.1:{postgres_server.port}/{dbname(postgres_url)}"
    )
    with psycopg.connect(postgres_url) as conn:
        row = conn.execute("SELECT inet_server_addr()::text, current_setting('fsync')").fetchone()
    assert row == ("127.0.0.1/32", "off")


def test_terminate_backends_drops_open_connection(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        assert postgres_server.terminate_backends(dbname(postgres_url)) == 1
        with pytest.raises(psycopg.OperationalError):
            conn.execute("SELECT 1")
    with psycopg.connect(postgres_url) as conn:  # new connections still work
        assert conn.execute("SELECT 1").fetchone() == (1,)


def _try_lock(conn: psycopg.Connection[tuple[object, ...]]) -> object:
    row = conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()
    assert row is not None
    return row[0]


def _wait_for_lock(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    # Closing or terminating the holder releases its lock a moment later, on the server:
    # block until then, bounded, rather than polling.
    conn.execute("SET lock_timeout = '30s'")
    conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))


def test_advisory_lock_released_when_holder_closes(postgres_url: str) -> None:
    holder = psycopg.connect(postgres_url, autocommit=True)
    with psycopg.connect(postgres_url, autocommit=True) as other:
        assert _try_lock(holder) is True
        assert _try_lock(other) is False
        holder.close()
        _wait_for_lock(other)
        assert _try_lock(other) is True  # re-entrant for its holder


def test_advisory_lock_released_by_terminate_backends(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    holder = psycopg.connect(postgres_url, autocommit=True)
    assert _try_lock(holder) is True
    with psycopg.connect(postgres_url, autocommit=True) as other:
        assert _try_lock(other) is False
    # terminate_backends waits until the holder's server process has exited, so its lock is
    # free at once, without waiting. (The closed check connection may still be counted.)
    assert postgres_server.terminate_backends(dbname(postgres_url)) >= 1
    with pytest.raises(psycopg.OperationalError):
        holder.execute("SELECT 1")
    holder.close()
    with psycopg.connect(postgres_url, autocommit=True) as other:
        assert _try_lock(other) is True


def test_restart_immediate_keeps_committed_rows(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE journal (n int)")
        conn.execute("INSERT INTO journal SELECT generate_series(1, 100)")
    postgres_server.restart("immediate")
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT count(*) FROM journal").fetchone() == (100,)
