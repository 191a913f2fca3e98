"""One writer at a time per account in the database: a PostgreSQL session advisory lock.

The lock is held by a connection of its own, open for the whole command. The server releases a
session lock when its connection ends, however it ends: a runner killed, or its connection
terminated, leaves nothing behind to clean up. The holder is named from ``pg_stat_activity``
(each connection's application name says its pid, host and command).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reconciler.errors import LockHeld
from reconciler.storage.database import connect, errors_of, redacted

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


class DatabaseLock:
    """The lock of one account's known state in the database at ``url``."""

    def __init__(self, url: str, account: str) -> None:
        self._url = url
        self.account = account
        self.key = lock_key(account)

    @property
    def where(self) -> str:
        return f"{redacted(self._url)} (account {self.account!r})"

    @contextlib.contextmanager
    def held(self, command: str, timeout: float = 0.0) -> Iterator[None]:
        """Hold the lock while the block runs. ``LockHeld`` naming the holder when another
        run holds it, at once or after waiting ``timeout`` seconds."""
        db = connect(self._url, command)
        try:
            with errors_of(self._url, "take the known-state lock"):
                acquired = self._acquire(db, timeout)
                holder = None if acquired else self._holder(db)
            if not acquired:
                raise LockHeld(self._held_message(holder, timeout))
            yield
        finally:
            db.close()  # the server releases the session's lock with it

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
        high, low = (self.key >> 32) & 0xFFFFFFFF, self.key & 0xFFFFFFFF
        row = db.execute(_HOLDER, (high, low)).fetchone()
        return None if row is None else Holder(int(row[0]), row[1] or "", str(row[2]))

    def _held_message(self, holder: Holder | None, timeout: float) -> str:
        waited = f" after waiting {timeout:g} s" if timeout > 0 else ""
        return (
            f"{self.where}: another run holds the lock in the database{waited}: "
            f"{holder or 'a connection that just ended'}. The server releases it when that "
            "run ends or its connection closes; pass --lock-timeout SECONDS to wait for it"
        )
