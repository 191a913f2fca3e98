"""A known state kept in PostgreSQL as a backend (``postgresql://``, ``postgres://``): the
account's rows (``postgres.PostgresStore``) and its advisory lock
(``postgres_lock.DatabaseLock``), one connection holding the lock and recording."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.storage.backend import Kind, Place
from reconciler.storage.conninfo import passwords
from reconciler.storage.database import CONNECT_TIMEOUT, SCHEMES, check_url, reach, redacted
from reconciler.storage.url_parts import without_password

if TYPE_CHECKING:  # the store, its lock and its reads are imported when a database is used
    from reconciler.storage.lock import Owner
    from reconciler.storage.postgres import PostgresStore
    from reconciler.storage.postgres_lock import DatabaseLock


class PostgresBackend:
    """The known state of ``account`` in the database at ``url`` (a ``Backend``)."""

    def __init__(self, url: str, account: str, connect_timeout: float = CONNECT_TIMEOUT) -> None:
        self._url = url
        self.account = account
        self._connect_timeout = connect_timeout

    @property
    def where(self) -> str:
        return f"{redacted(self._url)} (account {self.account!r})"

    @property
    def lock_where(self) -> str:
        return self.where

    @property
    def backup(self) -> str | None:
        """None: a database keeps no copy of the previous state."""
        return None

    def store(self) -> PostgresStore:
        from reconciler.storage.postgres import PostgresStore

        return PostgresStore(self._url, self.account, self._connect_timeout)

    def files(self) -> dict[Path, str]:
        """None: everything is kept in the database."""
        return {}

    @contextlib.contextmanager
    def locked(self, command: str, timeout: float) -> Iterator[Owner | None]:
        """Hold the session advisory lock: nothing is ever left behind, so never an owner."""
        with self._lock().held(command, timeout):
            yield None

    def claimed(self, command: str) -> contextlib.AbstractContextManager[bool]:
        return self._lock().claimed(command)

    def force_unlock(self) -> str:
        return self._lock().force_unlock()

    def retire(self) -> str:
        """Delete the account's rows."""
        store = self.store()
        with contextlib.closing(store):
            store.delete()
        return f"{self.where}: deleted from the database"

    def retired(self) -> str | None:
        """None: a move away deletes the rows and leaves nothing behind."""
        return None

    def _lock(self) -> DatabaseLock:
        from reconciler.storage.postgres_lock import DatabaseLock

        return DatabaseLock(self._url, self.account, self._connect_timeout)


def open_database(location: str | None, place: Place) -> PostgresBackend:
    """The account's known state in the database at ``location``."""
    if location is None:
        raise ValueError("a database backend is opened at a URL")
    timeout = CONNECT_TIMEOUT if place.connect_timeout is None else place.connect_timeout()
    return PostgresBackend(location, place.account, timeout)


def _reach(location: str, connect_timeout: float | None) -> None:
    reach(location, CONNECT_TIMEOUT if connect_timeout is None else connect_timeout)


def _shared_reads(at_once: int) -> contextlib.AbstractContextManager[object]:
    from reconciler.storage.postgres_reads import shared_reads

    return shared_reads(at_once)


KIND = Kind(
    schemes=SCHEMES,
    shown="a postgresql:// URL",
    open=open_database,
    check=check_url,
    public=without_password,
    secrets=passwords,
    reach=_reach,
    shared=True,
    during_fleet=_shared_reads,
)
