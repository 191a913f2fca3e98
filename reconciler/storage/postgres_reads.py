"""Connections kept for reading known states while a fleet runs (``shared_reads``).

Without them, every account planned without its lock opens a connection of its own to read
its known state and closes it. While ``shared_reads(limit)`` is open, such a read borrows an
idle connection to the same database, or opens one, and gives it back afterwards: a fleet
planning ``limit`` accounts at once opens at most ``limit`` of them, whatever its size, and
their tables are checked once per connection. A connection that saw an error, or is left
inside a transaction, is closed rather than given back; one found broken closes the others
kept to its database too, so the next read opens a new one (or finds the database gone).
Every connection is closed when ``shared_reads`` ends, on an error or Ctrl-C too.

Writes never borrow: a store that records does it over its lock's connection, or its own.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from psycopg import Connection
    from psycopg.rows import TupleRow


@dataclass
class Pooled:
    """A kept connection and whether the known-state tables were found on it."""

    connection: Connection[TupleRow]
    has_tables: bool = False
    fresh: bool = True
    """Opened for the read using it now (not kept from an earlier one)."""


class ReadConnections:
    """Idle read connections by database URL, at most ``limit`` open at once (an idle one of
    another database is closed to open one more)."""

    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self._idle: dict[str, list[Pooled]] = {}
        self._open = 0
        self._closed = False
        self._guard = threading.Lock()

    @contextlib.contextmanager
    def borrow(self, url: str, opener: Callable[[], Connection[TupleRow]]) -> Iterator[Pooled]:
        """An idle connection to ``url``, else a new one from ``opener``; given back after use
        unless an error was raised meanwhile or it is no longer idle (then it is closed)."""
        pooled = self._take(url)
        if pooled is None:
            pooled = Pooled(opener())
            with self._guard:
                self._open += 1
        try:
            yield pooled
        except BaseException:
            self._discard(pooled)
            if pooled.connection.broken:  # the others kept to this database likely are too
                self._discard_idle(url)
            raise
        self._give_back(url, pooled)

    def close(self) -> None:
        """Close every idle connection; one given back later is closed then."""
        with self._guard:
            self._closed = True
            idle = [pooled for kept in self._idle.values() for pooled in kept]
            self._idle.clear()
        for pooled in idle:
            self._discard(pooled)

    def _discard_idle(self, url: str) -> None:
        with self._guard:
            idle = self._idle.pop(url, [])
        for pooled in idle:
            self._discard(pooled)

    def _take(self, url: str) -> Pooled | None:
        with self._guard:
            kept = self._idle.get(url)
            if kept:
                return kept.pop()
            spare = self._spare() if self._open >= self.limit else None
        if spare is not None:
            self._discard(spare)
        return None

    def _spare(self) -> Pooled | None:
        """An idle connection to close to make room (caller holds the guard)."""
        for kept in self._idle.values():
            if kept:
                return kept.pop()
        return None

    def _give_back(self, url: str, pooled: Pooled) -> None:
        from psycopg.pq import TransactionStatus

        usable = (
            not pooled.connection.closed
            and pooled.connection.info.transaction_status == TransactionStatus.IDLE
        )
        with self._guard:
            if usable and not self._closed:
                pooled.fresh = False
                self._idle.setdefault(url, []).append(pooled)
                return
        self._discard(pooled)

    def _discard(self, pooled: Pooled) -> None:
        with self._guard:
            self._open -= 1
        pooled.connection.close()


_active: ReadConnections | None = None
_activation = threading.Lock()


@contextlib.contextmanager
def shared_reads(limit: int) -> Iterator[ReadConnections]:
    """Keep read connections (at most ``limit``) for the known-state reads made until this
    ends, in any thread; every one is closed at the end. Nested, the outer one is used."""
    global _active
    with _activation:
        outer = _active
        pool = outer if outer is not None else ReadConnections(limit)
        _active = pool
    try:
        yield pool
    finally:
        if outer is None:
            with _activation:
                _active = None
            pool.close()


def active_reads() -> ReadConnections | None:
    """The read connections kept now, if ``shared_reads`` is open."""
    return _active
