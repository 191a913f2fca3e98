"""The database lock on its own, against a real PostgreSQL server: its key, who holds it,
waiting for it, trying it once, and what a run is told when it cannot have it."""

from __future__ import annotations

import re
import threading
import time

import psycopg
import pytest

from reconciler.errors import LockHeld, LockLost
from reconciler.storage.postgres_lock import DatabaseLock, Holder, held_lock, lock_key


def _with_password(url: str) -> str:
    """``url`` with a password the server does not ask for (trust authentication)."""
    return url.replace("postgres@", "postgres:s3cr3t-pw@", 1)


def _own_backends(url: str, account: str) -> set[int]:
    """The server processes holding the advisory lock of ``account``, from ``pg_locks``."""
    key = lock_key(account)
    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND ((classid::bigint << 32) | objid::bigint) = %s",
            (key & 0xFFFFFFFFFFFFFFFF if key >= 0 else key + (1 << 64),),
        ).fetchall()
    return {int(row[0]) for row in rows}


def _taken_raw(url: str, account: str, application: str = "") -> psycopg.Connection:
    db = psycopg.connect(url, autocommit=True, application_name=application)
    db.execute("SELECT pg_advisory_lock(%s)", (lock_key(account),))
    return db


def test_the_key_is_a_stable_signed_64_bit_hash_of_the_account() -> None:
    assert lock_key("a") == lock_key("a")
    assert lock_key("a") != lock_key("b")
    # Runs of every version must agree on the key, or two would hold "the" lock at once.
    assert lock_key("porto") == -3141775114671767759
    assert lock_key("state") == 15487922594256332
    assert all(-(1 << 63) <= lock_key(name) < (1 << 63) for name in ("a", "b", "porto", "state"))


def test_holding_the_lock_takes_it_on_one_connection_found_by_the_store(postgres_url: str) -> None:
    lock = DatabaseLock(postgres_url, "a")
    assert held_lock(postgres_url, "a") is None
    with lock.held("reconciler apply"):
        held = held_lock(postgres_url, "a")
        assert held is not None
        assert held.key == lock_key("a") and held.url == postgres_url
        assert held.where == lock.where and held.claimed_by is None
        assert _own_backends(postgres_url, "a") == {held.connection.info.backend_pid}
        held.prove()
        assert held_lock(postgres_url, "b") is None
    assert held_lock(postgres_url, "a") is None
    assert _own_backends(postgres_url, "a") == set()


def test_a_run_that_finds_the_lock_held_is_told_who_holds_it(postgres_url: str) -> None:
    first = DatabaseLock(postgres_url, "a")
    with first.held("reconciler apply"):
        pid = next(iter(_own_backends(postgres_url, "a")))
        with pytest.raises(LockHeld) as raised, DatabaseLock(postgres_url, "a").held("plan"):
            pytest.fail("the block ran without the lock")
        message = str(raised.value)
        assert message.startswith(
            f"{first.where}: another run holds the lock in the database: backend {pid} (pid "
        )
        assert re.search(
            r": reconciler apply, connected since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d", message
        )
        assert message.endswith(
            ". The server releases it when that run ends or its connection closes; "
            "pass --lock-timeout SECONDS to wait for it"
        )
        with DatabaseLock(postgres_url, "b").held("reconciler apply"):  # another account's
            assert held_lock(postgres_url, "b") is not None
        # The one that failed left the holder's registration alone.
        assert held_lock(postgres_url, "a") is not None


def test_a_holder_without_an_application_name_is_still_named(postgres_url: str) -> None:
    with _taken_raw(postgres_url, "a") as raw:
        pid = raw.info.backend_pid
        expected = rf"backend {pid} \(application unknown, connected "
        with pytest.raises(LockHeld, match=expected), DatabaseLock(postgres_url, "a").held("plan"):
            pass
    assert str(Holder(7, "", "2026-01-01 00:00:00")) == (
        "backend 7 (application unknown, connected since 2026-01-01 00:00:00)"
    )
    assert str(Holder(7, "x", "t")) == "backend 7 (x, connected since t)"


def test_waiting_for_a_lock_that_stays_held_gives_up_after_the_timeout(postgres_url: str) -> None:
    waiting = DatabaseLock(postgres_url, "a")
    with (
        _taken_raw(postgres_url, "a", "runner A"),
        pytest.raises(LockHeld) as raised,
        waiting.held("reconciler apply", timeout=0.2),
    ):
        pass
    assert "another run holds the lock in the database after waiting 0.2 s: backend " in str(
        raised.value
    )
    assert "(runner A, connected since " in str(raised.value)


def _waiting(url: str, account: str) -> bool:
    """Whether a connection waits for the advisory lock of ``account`` (not granted yet)."""
    key = lock_key(account)
    with psycopg.connect(url, autocommit=True) as db:
        row = db.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND classid::bigint = %s AND objid::bigint = %s)",
            ((key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF),
        ).fetchone()
    return bool(row and row[0])


def test_waiting_for_a_lock_gets_it_once_it_is_released(postgres_url: str) -> None:
    raw = _taken_raw(postgres_url, "a")
    waiting = DatabaseLock(postgres_url, "a")
    entered = threading.Event()

    def take() -> None:
        with waiting.held("reconciler apply", timeout=600):
            held = held_lock(postgres_url, "a")
            assert held is not None
            # Statements on the lock's connection wait without a limit again.
            assert held.connection.execute("SHOW lock_timeout").fetchone() == ("0",)
            entered.set()

    taker = threading.Thread(target=take)
    taker.start()
    try:
        # Released only once the taker is seen waiting for it in the server.
        while taker.is_alive() and not _waiting(postgres_url, "a"):
            time.sleep(0.01)
        assert not entered.is_set()
        raw.close()  # the server releases the lock with the session
        taker.join()
    finally:
        raw.close()
    assert entered.is_set()


def test_a_lock_tried_once_runs_the_block_with_or_without_it(postgres_url: str) -> None:
    lock = DatabaseLock(postgres_url, "a")
    with lock.claimed("reconciler apply --fleet") as got:
        assert got is True
        held = held_lock(postgres_url, "a")
        assert held is not None and held.claimed_by == threading.get_ident()
        backends = _own_backends(postgres_url, "a")
        # A command in the block runs under this hold, on its connection.
        with lock.held("reconciler apply"):
            assert held_lock(postgres_url, "a") is held
            assert _own_backends(postgres_url, "a") == backends
        assert held_lock(postgres_url, "a") is held
        with DatabaseLock(postgres_url, "a").claimed("another runner") as other:
            assert other is False
        # Another thread is another run: it does not share the hold.
        refused: list[str] = []

        def other_thread() -> None:
            try:
                with DatabaseLock(postgres_url, "a").held("another thread"):
                    pass
            except LockHeld as error:
                refused.append(str(error))

        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        assert len(refused) == 1 and "another run holds the lock" in refused[0]
    # Released at the end of the block: the next one to try has it at once.
    assert held_lock(postgres_url, "a") is None
    with psycopg.connect(postgres_url, autocommit=True) as db:
        assert db.execute("SELECT pg_try_advisory_lock(%s)", (lock_key("a"),)).fetchone() == (True,)


def test_force_unlock_names_the_holder_and_never_removes_a_live_lock(postgres_url: str) -> None:
    lock = DatabaseLock(postgres_url, "a")
    assert lock.force_unlock() == (
        f"{lock.where}: no run holds the lock in the database; nothing to do"
    )
    with lock.held("reconciler apply"):
        pid = next(iter(_own_backends(postgres_url, "a")))
        with pytest.raises(LockHeld) as raised:
            DatabaseLock(postgres_url, "a").force_unlock()
        assert held_lock(postgres_url, "a") is not None
    message = str(raised.value)
    assert message.startswith(f"{lock.where}: the lock is held in the database by backend {pid} (")
    assert message.endswith(
        "The server releases it when that connection ends: stop that run, or end its "
        f"connection with SELECT pg_terminate_backend({pid})"
    )


def test_the_lock_names_its_database_without_the_password(postgres_url: str) -> None:
    url = _with_password(postgres_url)
    lock = DatabaseLock(url, "a")
    assert "s3cr3t-pw" not in lock.where
    assert lock.where.endswith(" (account 'a')")
    assert postgres_url.replace("postgres@", "postgres:***@", 1) in lock.where


def test_a_lock_whose_connection_failed_is_lost(postgres_url: str) -> None:
    lock = DatabaseLock(postgres_url, "a")
    with lock.held("reconciler apply"):
        held = held_lock(postgres_url, "a")
        assert held is not None
        with psycopg.connect(postgres_url, autocommit=True) as db:
            db.execute("SELECT pg_terminate_backend(%s)", (held.connection.info.backend_pid,))
        with pytest.raises(LockLost) as raised:
            held.prove()
    assert raised.value.where == lock.where
    # The driver's own first line, which names the connection that ended.
    assert re.fullmatch(r"its connection failed: .*connection.*", raised.value.reason)


def test_a_lock_no_longer_granted_to_its_connection_is_lost(postgres_url: str) -> None:
    lock = DatabaseLock(postgres_url, "a")
    with lock.held("reconciler apply"):
        held = held_lock(postgres_url, "a")
        assert held is not None
        held.connection.execute("SELECT pg_advisory_unlock(%s)", (lock_key("a"),))
        with pytest.raises(LockLost) as raised:
            held.prove()
    assert raised.value.where == lock.where
    assert raised.value.reason == "the server no longer grants it to this run's connection"


def test_a_holder_gone_before_it_could_be_named_is_said_to_have_ended() -> None:
    lock = DatabaseLock("postgresql://postgres@127.0.0.1:9/db", "a")
    # The try failed, then the holder ended before the query that names it: no holder.
    assert lock._held_message(None, 0.0) == (
        f"{lock.where}: another run holds the lock in the database: a connection that just "
        "ended. The server releases it when that run ends or its connection closes; "
        "pass --lock-timeout SECONDS to wait for it"
    )
