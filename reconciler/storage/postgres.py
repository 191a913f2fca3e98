"""The known state of one account in PostgreSQL (a ``StateBackend``).

Two tables, created on first use: ``reconciler_states`` holds one row per account (lineage,
serial, digest-key fingerprint, when it was last written) and ``reconciler_records`` one row per
resource recorded (the record as ``jsonb``: declared fields last applied, secrets only as keyed
digests). ``reconciler_schema`` says which version of these tables the database holds; a newer
one is refused.

Every success is committed before it is reported, in one transaction that also bumps the
serial (successes completed together share one transaction), so there is no journal: a run
killed at any moment has recorded everything reported as succeeded. A write is refused when
the stored lineage is another one, or when the
stored serial is not older than the one written (another run wrote since this one loaded).

While this process holds the account's lock (``DatabaseLock.held``), the store uses the lock's
own connection: a success is committed only by the connection that holds the lock, and when
that connection is lost every use of the store raises ``LockLost`` rather than reconnecting
without the lock. Otherwise (reading for a plan) it opens a connection of its own, or, while
a fleet keeps read connections (``postgres_reads.shared_reads``), borrows one of those to read.
"""

from __future__ import annotations

import contextlib
import json
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from reconciler.core.known import KnownState, Record
from reconciler.errors import StateFileError
from reconciler.storage.database import CONNECT_TIMEOUT, connect, errors_of, redacted
from reconciler.storage.postgres_lock import HeldLock, held_lock
from reconciler.storage.postgres_reads import Pooled, ReadConnections, active_reads

if TYPE_CHECKING:
    from psycopg import Connection
    from psycopg.rows import TupleRow

SCHEMA_VERSION = 1
"""The version of the tables this module reads and writes."""
STATEMENT_TIMEOUT = 300.0
"""Seconds one statement may take (saving 100k records takes a few)."""
SCHEMA_LOCK = 0x7265636F6E63696C  # b"reconcil": serializes creating the tables
CREATE_TABLES = (
    "CREATE TABLE reconciler_schema (version integer NOT NULL)",
    "CREATE TABLE reconciler_states ("
    " account text PRIMARY KEY,"
    " lineage text NOT NULL,"
    " serial bigint NOT NULL CHECK (serial >= 0),"
    " key_id text,"
    " updated_at timestamptz NOT NULL DEFAULT now())",
    "CREATE TABLE reconciler_records ("
    " account text NOT NULL REFERENCES reconciler_states (account) ON DELETE CASCADE,"
    " resource text NOT NULL,"
    " record jsonb NOT NULL,"
    " PRIMARY KEY (account, resource))",
)
LOAD = (
    "SELECT lineage, serial, key_id, NULL::text, NULL::jsonb FROM reconciler_states"
    " WHERE account = %(account)s"
    " UNION ALL SELECT NULL, NULL, NULL, resource, record FROM reconciler_records"
    " WHERE account = %(account)s"
)
"""An account's known state in one statement (so one snapshot): its row, whose resource is
NULL, and a row per record."""


class KeptConnectionLost(Exception):
    """A connection kept for reading was found lost before it answered: read again."""


class PostgresStore:
    """Loads, records and saves the known state of ``account`` in the database at ``url``;
    ``close`` ends the connection it opened of its own, if any."""

    def __init__(self, url: str, account: str, connect_timeout: float = CONNECT_TIMEOUT) -> None:
        self._url = url
        self.account = account
        self._connect_timeout = connect_timeout
        self._connection: Connection[TupleRow] | None = None
        self._has_tables = False
        self._adopted: HeldLock | None = None

    @property
    def where(self) -> str:
        """The database (password hidden) and account, as messages name them."""
        return f"{redacted(self._url)} (account {self.account!r})"

    @property
    def successes_kept(self) -> str:
        return self.where

    def exists(self) -> bool:
        """Whether anything was ever recorded for this account."""
        query = "SELECT 1 FROM reconciler_states WHERE account = %s"
        rows = self._read(lambda db: db.execute(query, (self.account,)).fetchall())
        return bool(rows)

    def load(self) -> KnownState:
        """The account's known state (a new, empty one when nothing was recorded), read in
        one statement: the account's row, then its records."""
        rows = self._read(lambda db: db.execute(LOAD, {"account": self.account}).fetchall())
        heads = [row[:3] for row in rows if row[3] is None]
        if not heads:
            return KnownState.new()
        try:
            resources = {
                str(row[3]): Record.from_json(row[4]) for row in rows if row[3] is not None
            }
        except ValueError as error:
            raise StateFileError(f"{self.where}: a stored record is damaged: {error}") from None
        lineage, serial, key_id = heads[0]
        return KnownState(lineage=lineage, serial=serial, key_id=key_id, resources=resources)

    def append(self, state: KnownState, key: str) -> None:
        """Commit the success that produced ``state``: its record under ``key``, the serial."""
        self.append_all([(state, key)])

    def append_all(self, successes: Sequence[tuple[KnownState, str]]) -> None:
        """Commit several successes in one transaction: each record, then the last serial."""
        if not successes:
            return
        rows = [
            (self.account, key, json.dumps(state.resources[key].to_json(), ensure_ascii=False))
            for state, key in successes
        ]
        with self._using("record a success in the known state", create=True) as db:
            assert db is not None  # created
            with db.transaction():
                self._write_head(db, successes[-1][0], allow_same_serial=False)
                with db.cursor() as cursor:
                    cursor.executemany(
                        "INSERT INTO reconciler_records (account, resource, record)"
                        " VALUES (%s, %s, %s::jsonb) ON CONFLICT (account, resource)"
                        " DO UPDATE SET record = EXCLUDED.record",
                        rows,
                    )

    def save(self, state: KnownState) -> None:
        """Store the whole state in one transaction; refuse one from another history or older
        than what is stored."""
        with self._using("save the known state", create=True) as db:
            assert db is not None  # created
            with db.transaction():
                self._write_head(db, state, allow_same_serial=True)
                db.execute("DELETE FROM reconciler_records WHERE account = %s", (self.account,))
                copy_rows = "COPY reconciler_records (account, resource, record) FROM STDIN"
                with db.cursor().copy(copy_rows) as copy:
                    for key in sorted(state.resources):
                        text = json.dumps(state.resources[key].to_json(), ensure_ascii=False)
                        copy.write_row((self.account, key, text))

    def settle(self, state: KnownState) -> None:
        """Nothing to fold: every success was committed in full as it happened."""

    def prove_lock(self) -> None:
        """``LockLost`` unless this run still holds the account's lock (one round trip on the
        lock's connection); nothing to prove for a store used without the lock."""
        held = held_lock(self._url, self.account)
        if held is not None:
            held.prove()

    def delete(self) -> None:
        """Remove everything recorded for this account."""
        with self._using("delete the known state", create=True) as db:
            assert db is not None  # created
            db.execute("DELETE FROM reconciler_states WHERE account = %s", (self.account,))

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _write_head(
        self, db: Connection[TupleRow], state: KnownState, *, allow_same_serial: bool
    ) -> None:
        """Upsert the account's row after checking, with it locked, what it holds now."""
        stored = db.execute(
            "SELECT lineage, serial FROM reconciler_states WHERE account = %s FOR UPDATE",
            (self.account,),
        ).fetchone()
        if stored is None:
            inserted = db.execute(
                "INSERT INTO reconciler_states (account, lineage, serial, key_id)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (account) DO NOTHING RETURNING 1",
                (self.account, state.lineage, state.serial, state.key_id),
            ).fetchone()
            if inserted is not None:
                return
            raise StateFileError(
                f"{self.where}: another run recorded this account's first success meanwhile; "
                "nothing was written by this one"
            )
        self._refuse_stale(stored, state, allow_same_serial=allow_same_serial)
        db.execute(
            "UPDATE reconciler_states SET serial = %s, key_id = %s, updated_at = now()"
            " WHERE account = %s",
            (state.serial, state.key_id, self.account),
        )

    def _refuse_stale(
        self, stored: tuple[Any, ...], state: KnownState, *, allow_same_serial: bool
    ) -> None:
        lineage, serial = stored
        if lineage != state.lineage:
            raise StateFileError(
                f"{self.where}: the database holds another history (lineage {lineage}, not "
                f"{state.lineage}); it was not overwritten"
            )
        if serial > state.serial or (serial == state.serial and not allow_same_serial):
            raise StateFileError(
                f"{self.where}: another run wrote the known state since this one loaded it "
                f"(serial {serial}, this run has {state.serial}); it was not overwritten"
            )

    def _read(self, query: Callable[[Connection[TupleRow]], list[TupleRow]]) -> list[TupleRow]:
        """The rows ``query`` reads (none when the tables are not there): over the lock's
        connection while it is held, else over a connection a fleet keeps for reading
        (``shared_reads``; one found lost is replaced once, as a connection opened for this
        read would be), else over the store's own."""
        doing = "read the known state"
        shared = active_reads() if held_lock(self._url, self.account) is None else None
        if shared is None:
            with self._using(doing, create=False) as db:
                return [] if db is None else query(db)
        for retry in (False, True):
            with contextlib.suppress(KeptConnectionLost):
                return self._read_shared(shared, doing, query, retry=retry)
        raise AssertionError("unreachable: the retry raises")

    def _read_shared(
        self,
        shared: ReadConnections,
        doing: str,
        query: Callable[[Connection[TupleRow]], list[TupleRow]],
        *,
        retry: bool,
    ) -> list[TupleRow]:
        pooled: Pooled | None = None
        try:
            with errors_of(self._url, doing), shared.borrow(self._url, self._open) as pooled:
                if not pooled.has_tables:
                    pooled.has_tables = ensure_schema(pooled.connection, self._url, create=False)
                return query(pooled.connection) if pooled.has_tables else []
        except StateFileError:
            if retry or pooled is None or pooled.fresh or not pooled.connection.broken:
                raise
            raise KeptConnectionLost from None

    @contextlib.contextmanager
    def _using(self, doing: str, *, create: bool) -> Iterator[Connection[TupleRow] | None]:
        """The connection for ``doing`` (None when the tables are not there and ``create`` is
        false): the held lock's, used by one thread at a time, whose loss is ``LockLost``; else
        the store's own. psycopg's errors become the package's."""
        held = held_lock(self._url, self.account)
        if held is None:
            with errors_of(self._url, doing):
                yield self._db(create=create)
            return
        from psycopg import OperationalError

        with held.busy:
            try:
                with errors_of(self._url, doing):
                    try:
                        yield self._on_lock(held, create=create)
                    except OperationalError as error:
                        raise held.lost(error) from None
            except StateFileError:
                if held.connection.closed:  # a statement failed as the connection was lost
                    raise held.lost(ConnectionError("the connection is closed")) from None
                raise

    def _on_lock(self, held: HeldLock, *, create: bool) -> Connection[TupleRow] | None:
        """The lock's connection, set up for this store the first time it is used."""
        if self._adopted is not held:
            if self._connection is not None:  # one connection per account while it is locked
                self._connection.close()
                self._connection = None
            milliseconds = f"{round(STATEMENT_TIMEOUT * 1000)}ms"
            held.connection.execute(
                "SELECT set_config('statement_timeout', %s, false)", (milliseconds,)
            )
            self._adopted, self._has_tables = held, False
        if not self._has_tables:
            self._has_tables = ensure_schema(held.connection, self._url, create=create)
        return held.connection if self._has_tables else None

    def _db(self, *, create: bool) -> Connection[TupleRow] | None:
        """The connection once the tables are known to be there; without ``create``, None
        when they are not (reading a database never writes to it)."""
        if self._adopted is not None:  # the lock was released: back to a connection of its own
            self._adopted, self._has_tables = None, False
        if self._connection is None or self._connection.closed:
            self._connection = self._open()
            weakref.finalize(self, self._connection.close)
            self._has_tables = False
        if not self._has_tables:
            self._has_tables = ensure_schema(self._connection, self._url, create=create)
        return self._connection if self._has_tables else None

    def _open(self) -> Connection[TupleRow]:
        """A new connection to read and write known states over."""
        return connect(
            self._url,
            "reconciler known state",
            statement_timeout=STATEMENT_TIMEOUT,
            connect_timeout=self._connect_timeout,
        )


def ensure_schema(db: Connection[TupleRow], url: str, *, create: bool) -> bool:
    """Whether the tables are there, created first when ``create`` and the database has none;
    tables of a newer version are refused."""
    if db.execute("SELECT to_regclass('reconciler_schema')").fetchone() == (None,):
        if not create:
            return False
        # A session lock, taken before the transaction that checks again: a transaction that
        # had already looked at the catalog would not see tables another writer just created.
        db.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            with db.transaction():
                if db.execute("SELECT to_regclass('reconciler_schema')").fetchone() == (None,):
                    for statement in CREATE_TABLES:
                        db.execute(statement)
                    db.execute("INSERT INTO reconciler_schema VALUES (%s)", (SCHEMA_VERSION,))
                    return True
        finally:
            db.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))
    row = db.execute("SELECT max(version) FROM reconciler_schema").fetchone()
    version = row[0] if row else None
    if version is None:
        raise StateFileError(f"{redacted(url)}: the reconciler_schema table holds no version")
    if version > SCHEMA_VERSION:
        raise StateFileError(
            f"{redacted(url)}: the known-state tables are of version {version}, written by a "
            f"newer reconciler (this one reads up to {SCHEMA_VERSION}); upgrade reconciler"
        )
    return True
