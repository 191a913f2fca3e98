"""One writer at a time per account in the database: a PostgreSQL session advisory lock.

The lock is held on one connection, open for the whole command, and that same connection
records the account's successes (``PostgresStore`` finds it with ``held_lock``): one
connection per account in progress, and no success is ever committed by a connection that
does not hold the lock. The server releases a session lock when its connection ends, however it
ends: a runner killed, or its connection terminated, leaves nothing behind to clean up. Since
the lock can be lost that way while the run goes on, a run proves it still holds it
(``HeldLock.prove``) before each batch of calls. The holder is named from ``pg_stat_activity``
(each connection's application name says its pid, host and command).
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reconciler.errors import LockHeld, LockLost
from reconciler.storage.database import CONNECT_TIMEOUT, connect, errors_of, first_line, redacted

if TYPE_CHECKING:
    from psycopg import Connection
    from psycopg.rows import TupleRow

_HOLDER = (
    "SELECT a.pid, a.application_name, date_trunc('second', a.backend_start)::text"
    " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND l.classid::bigint = %s AND l.objid::bigint = %s"
)

# This backend's own locks are all in its database: no need to name it.
_GRANTED = (
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND objsubid = 1"
    " AND classid::bigint = %s AND objid::bigint = %s)"
)


@dataclass(frozen=True)
class Holder:
    """The server process whose connection holds a lock, as ``pg_stat_activity`` shows it."""

    pid: int
    application: str
    since: str

    def __str__(self) -> str:
        application = self.application or "application unknown"
        return f"backend {self.pid} ({application}, connected since {self.since})"


def lock_key(account: str) -> int:
    """The advisory lock's key: a stable signed 64-bit hash of the account name."""
    digest = hashlib.sha256(f"reconciler known state:{account}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _halves(key: int) -> tuple[int, int]:
    """The key as ``pg_locks`` shows it: ``classid`` (high 32 bits) and ``objid`` (low)."""
    return (key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF


class HeldLock:
    """A lock this process holds: its connection, shared with the store that records the
    account's successes, and the proof that it is still held.

    psycopg lets one connection be used from several threads, but a transaction must not take
    in another thread's statement: whoever uses the connection holds ``busy``."""

    def __init__(
        self,
        connection: Connection[TupleRow],
        url: str,
        key: int,
        where: str,
        *,
        claimed: bool = False,
    ) -> None:
        self.connection = connection
        self.url = url
        self.key = key
        self.where = where
        self.busy = threading.Lock()
        self.claimed_by = threading.get_ident() if claimed else None
        """The thread that took it with ``claimed``: there, ``held`` runs under this hold."""

    def prove(self) -> None:
        """One round trip: ``LockLost`` unless the connection is alive and the server still
        grants the lock to its backend."""
        from psycopg import Error

        with self.busy:
            try:
                row = self.connection.execute(_GRANTED, _halves(self.key)).fetchone()
            except Error as error:
                raise self.lost(error) from None
        if not (row and row[0]):
            raise LockLost(self.where, "the server no longer grants it to this run's connection")

    def lost(self, error: Exception) -> LockLost:
        """The loss that ``error``, raised on the lock's connection, means."""
        return LockLost(self.where, f"its connection failed: {first_line(error, self.url)}")


_held: dict[tuple[str, str], HeldLock] = {}
_held_guard = threading.Lock()


def held_lock(url: str, account: str) -> HeldLock | None:
    """The lock this process holds on ``account`` in the database at ``url``, if any."""
    with _held_guard:
        return _held.get((url, account))


class DatabaseLock:
    """The lock of one account's known state in the database at ``url``."""

    def __init__(self, url: str, account: str, connect_timeout: float = CONNECT_TIMEOUT) -> None:
        self._url = url
        self.account = account
        self.key = lock_key(account)
        self._connect_timeout = connect_timeout

    @property
    def where(self) -> str:
        return f"{redacted(self._url)} (account {self.account!r})"

    @contextlib.contextmanager
    def held(self, command: str, timeout: float = 0.0) -> Iterator[None]:
        """Hold the lock while the block runs, and let go of it at the block's end.
        ``LockHeld`` naming the holder when another run holds it, at once or after waiting
        ``timeout`` seconds.

        Within a block where this thread already holds it (``claimed``), the block runs under
        that hold, on its connection, and leaves it to be released where it was taken."""
        existing = held_lock(self._url, self.account)
        if existing is not None and existing.claimed_by == threading.get_ident():
            yield
            return
        db = connect(self._url, command, connect_timeout=self._connect_timeout)
        try:
            with errors_of(self._url, "take the known-state lock"):
                acquired = self._acquire(db, timeout)
                holder = None if acquired else self._holder(db)
            if not acquired:
                raise LockHeld(self._held_message(holder, timeout))
            with self._registered(db):
                yield
            # Let go at once, so a command that follows finds the lock free: closing the
            # connection alone releases it only once the server process has exited.
            with contextlib.suppress(Exception):  # a lost connection released it already
                db.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
        finally:
            db.close()  # after an error, the server releases the session's lock with it

    @contextlib.contextmanager
    def claimed(self, command: str) -> Iterator[bool]:
        """Try the lock once, never waiting (``pg_try_advisory_lock``): the block runs with
        ``True`` holding it (released at its end), or with ``False`` when another run holds
        it. Commands run in the block that take this lock (``held``) run under this hold.

        The lock is released before the block ends, so the next runner to try finds it free
        (closing the connection alone releases it only once the server process has exited)."""
        db = connect(self._url, command, connect_timeout=self._connect_timeout)
        try:
            with errors_of(self._url, "take the known-state lock"):
                acquired = self._acquire(db, 0.0)
            if not acquired:
                yield False
                return
            with self._registered(db, claimed=True):
                yield True
            with contextlib.suppress(Exception):  # a lost connection released it already
                db.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
        finally:
            db.close()

    @contextlib.contextmanager
    def _registered(self, db: Connection[TupleRow], *, claimed: bool = False) -> Iterator[None]:
        """``db``, which holds the lock, found by ``held_lock`` while the block runs."""
        name = (self._url, self.account)
        with _held_guard:
            _held[name] = HeldLock(db, self._url, self.key, self.where, claimed=claimed)
        try:
            yield
        finally:
            with _held_guard:
                if name in _held and _held[name].connection is db:
                    del _held[name]

    def force_unlock(self) -> str:
        """Say who holds the lock; a live connection's lock cannot be removed, only ended."""
        db = connect(self._url, "reconciler force-unlock")
        try:
            with errors_of(self._url, "read the known-state lock"):
                holder = self._holder(db)
        finally:
            db.close()
        if holder is None:
            return f"{self.where}: no run holds the lock in the database; nothing to do"
        raise LockHeld(
            f"{self.where}: the lock is held in the database by {holder}. The server releases "
            "it when that connection ends: stop that run, or end its connection with "
            f"SELECT pg_terminate_backend({holder.pid})"
        )

    def _acquire(self, db: Connection[TupleRow], timeout: float) -> bool:
        if timeout <= 0:
            row = db.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
            return bool(row and row[0])
        from psycopg.errors import LockNotAvailable

        db.execute(
            "SELECT set_config('lock_timeout', %s, false)", (f"{max(1, round(timeout * 1000))}ms",)
        )
        try:
            db.execute("SELECT pg_advisory_lock(%s)", (self.key,))
        except LockNotAvailable:
            return False
        db.execute("SELECT set_config('lock_timeout', '0', false)")
        return True

    def _holder(self, db: Connection[TupleRow]) -> Holder | None:
        row = db.execute(_HOLDER, _halves(self.key)).fetchone()
        return None if row is None else Holder(int(row[0]), row[1] or "", str(row[2]))

    def _held_message(self, holder: Holder | None, timeout: float) -> str:
        waited = f" after waiting {timeout:g} s" if timeout > 0 else ""
        return (
            f"{self.where}: another run holds the lock in the database{waited}: "
            f"{holder or 'a connection that just ended'}. The server releases it when that "
            "run ends or its connection closes; pass --lock-timeout SECONDS to wait for it"
        )
