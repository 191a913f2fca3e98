"""The PostgreSQL known-state store, used directly against a real server: what it names in its
messages, what each write leaves in the tables (and for which account), which writes it refuses
and with which words, the connection it reads and writes over, and the schema it checks."""

from __future__ import annotations

import os
import threading
import time

import psycopg
import pytest

from reconciler.core.known import KnownState, Record
from reconciler.errors import DatabaseUnreachable, StateFileError
from reconciler.storage.postgres import SCHEMA_VERSION, PostgresStore
from reconciler.storage.postgres_lock import DatabaseLock, held_lock
from reconciler.storage.postgres_reads import shared_reads
from tests.support.postgres import PostgresServer, dbname


def _record(city: str) -> Record:
    return Record(applied={"city": city}, applied_at="2026-01-01T00:00:00+00:00")


def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as db:
        return db.execute(query).fetchall()


def _tables(url: str) -> list[tuple[object, ...]]:
    return _rows(url, "SELECT to_regclass('reconciler_schema'), to_regclass('reconciler_states')")


def _own_backends(url: str) -> set[int]:
    """The server processes of this test process's reconciler connections."""
    query = "SELECT pid FROM pg_stat_activity WHERE application_name LIKE %s"
    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute(query, (f"pid {os.getpid()} %",)).fetchall()
    return {int(row[0]) for row in rows}


def _wait_for_own_backends(url: str, wanted: set[int]) -> None:
    """Wait until this process's reconciler connections are exactly ``wanted`` (a closed
    connection's server process ends a moment after the client closes it)."""
    deadline = time.monotonic() + 60
    while (seen := _own_backends(url)) != wanted:
        assert time.monotonic() < deadline, f"connections {seen}, expected {wanted}"
        time.sleep(0.01)


def test_messages_name_the_database_without_its_password_and_the_account() -> None:
    store = PostgresStore("postgresql://someone:Pg%23Secret99@db.example/known", "acme")
    assert store.where == "postgresql://someone:***@db.example/known (account 'acme')"
    assert store.successes_kept == store.where


def test_a_state_is_loaded_as_it_was_saved_for_its_account_alone(postgres_url: str) -> None:
    store = PostgresStore(postgres_url, "acme")
    assert not store.exists()
    state = KnownState(lineage="line-1", serial=4, key_id="key-a", resources={})
    state = state.applied("client:1", _record("Lisboa")).applied("client:2", _record("Évora"))
    store.save(state)
    other = PostgresStore(postgres_url, "other").load().applied("client:9", _record("Faro"))
    PostgresStore(postgres_url, "other").save(other)
    loaded = PostgresStore(postgres_url, "acme").load()
    assert loaded == state
    assert (loaded.lineage, loaded.serial, loaded.key_id) == ("line-1", state.serial, "key-a")
    assert store.exists() and PostgresStore(postgres_url, "other").exists()
    assert not PostgresStore(postgres_url, "nobody").exists()
    records = "SELECT account, resource, record->'applied'->>'city' FROM reconciler_records"
    assert sorted(_rows(postgres_url, records)) == [  # type: ignore[type-var]
        ("acme", "client:1", "Lisboa"),
        ("acme", "client:2", "Évora"),
        ("other", "client:9", "Faro"),
    ]


def test_a_save_replaces_the_accounts_records_and_keeps_anothers(postgres_url: str) -> None:
    store = PostgresStore(postgres_url, "acme")
    first = store.load().applied("client:1", _record("Lisboa"))
    first = first.applied("client:2", _record("Porto"))
    store.save(first)
    PostgresStore(postgres_url, "other").save(KnownState.new().applied("client:1", _record("Faro")))
    second = first.without(("client:1",))
    second = KnownState(second.lineage, second.serial, "key-b", second.resources)
    store.save(second)
    assert PostgresStore(postgres_url, "acme").load() == second
    assert PostgresStore(postgres_url, "acme").load().key_id == "key-b"
    assert list(PostgresStore(postgres_url, "other").load().resources) == ["client:1"]


def test_a_success_appended_records_its_serial_and_key(postgres_url: str) -> None:
    store = PostgresStore(postgres_url, "acme")
    store.save(KnownState(lineage="line-1", serial=0, key_id=None, resources={}))
    state = KnownState(lineage="line-1", serial=0, key_id="key-a", resources={})
    state = state.applied("client:1", _record("Lisboa"))
    store.append(state, "client:1")
    loaded = PostgresStore(postgres_url, "acme").load()
    assert (loaded.serial, loaded.key_id, loaded.resources) == (1, "key-a", state.resources)


def test_appending_nothing_writes_nothing(postgres_url: str) -> None:
    PostgresStore(postgres_url, "acme").append_all([])
    assert _tables(postgres_url) == [(None, None)]


def test_a_write_from_another_history_or_not_newer_is_refused_in_words(postgres_url: str) -> None:
    store = PostgresStore(postgres_url, "acme")
    saved = KnownState(lineage="line-1", serial=0, key_id=None, resources={})
    saved = saved.applied("client:1", _record("Lisboa"))
    store.save(saved)
    where = store.where
    other = KnownState(lineage="line-2", serial=5, key_id=None, resources={})
    with pytest.raises(StateFileError) as refused:
        store.save(other)
    assert str(refused.value) == (
        f"{where}: the database holds another history (lineage line-1, not line-2); "
        "it was not overwritten"
    )
    assert saved.serial == 1
    same_serial = KnownState("line-1", 1, None, {"client:2": _record("Porto")})
    with pytest.raises(StateFileError) as stale:
        store.append(same_serial, "client:2")
    assert str(stale.value) == (
        f"{where}: another run wrote the known state since this one loaded it "
        "(serial 1, this run has 1); it was not overwritten"
    )
    store.save(KnownState("line-1", 1, None, saved.resources))  # a save of the same serial is fine
    assert PostgresStore(postgres_url, "acme").load() == saved


def test_a_first_success_recorded_meanwhile_by_another_run_is_refused(postgres_url: str) -> None:
    store = PostgresStore(postgres_url, "acme")
    store.save(KnownState(lineage="setup", serial=0, key_id=None, resources={}))  # the tables
    store.delete()
    mine = KnownState.new().applied("client:1", _record("Lisboa"))
    errors: list[BaseException] = []
    with psycopg.connect(postgres_url) as other:  # a transaction of another run, not committed
        other.execute(
            "INSERT INTO reconciler_states (account, lineage, serial) VALUES ('acme', 'theirs', 1)"
        )

        def append() -> None:
            try:
                store.append(mine, "client:1")
            except BaseException as error:  # handed to the test's thread
                errors.append(error)

        writer = threading.Thread(target=append)
        writer.start()
        waiting = (
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO reconciler_states%%'"
        )
        deadline = time.monotonic() + 60
        # Watched from a connection of its own: within a transaction, pg_stat_activity is
        # read once and then shown as it was.
        with psycopg.connect(postgres_url, autocommit=True) as watcher:
            while watcher.execute(waiting).fetchone() == (0,) and writer.is_alive():
                assert time.monotonic() < deadline, "the store's insert never waited"
                time.sleep(0.01)
        other.commit()
        writer.join()
    [error] = errors
    assert str(error) == (
        f"{store.where}: another run recorded this account's first success meanwhile; "
        "nothing was written by this one"
    )
    assert _rows(postgres_url, "SELECT lineage, serial FROM reconciler_states") == [("theirs", 1)]
    assert _rows(postgres_url, "SELECT count(*) FROM reconciler_records") == [(0,)]


def test_delete_removes_the_accounts_state_and_records_alone(postgres_url: str) -> None:
    store = PostgresStore(postgres_url, "acme")
    store.save(KnownState.new().applied("client:1", _record("Lisboa")))
    PostgresStore(postgres_url, "other").save(KnownState.new().applied("client:1", _record("Faro")))
    store.delete()
    assert not store.exists() and store.load().resources == {}
    assert _rows(postgres_url, "SELECT account, resource FROM reconciler_records") == [
        ("other", "client:1")
    ]


def test_a_damaged_record_is_named_with_the_database_and_account(postgres_url: str) -> None:
    store = PostgresStore(postgres_url, "acme")
    store.save(KnownState.new().applied("client:1", _record("Lisboa")))
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("UPDATE reconciler_records SET record = '{\"applied\": 3}'::jsonb")
    with pytest.raises(StateFileError) as damaged:
        PostgresStore(postgres_url, "acme").load()
    assert str(damaged.value) == (
        f"{store.where}: a stored record is damaged: a record needs an 'applied' mapping"
    )


def test_tables_without_a_version_or_of_a_newer_one_are_refused_in_words(postgres_url: str) -> None:
    PostgresStore(postgres_url, "acme").save(KnownState.new())
    shown = PostgresStore(postgres_url, "acme").where.removesuffix(" (account 'acme')")
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("UPDATE reconciler_schema SET version = %s", (SCHEMA_VERSION + 1,))
        with pytest.raises(StateFileError) as newer:
            PostgresStore(postgres_url, "acme").exists()
        assert str(newer.value) == (
            f"{shown}: the known-state tables are of version {SCHEMA_VERSION + 1}, written by a "
            f"newer reconciler (this one reads up to {SCHEMA_VERSION}); upgrade reconciler"
        )
        db.execute("UPDATE reconciler_schema SET version = %s", (SCHEMA_VERSION,))
        assert PostgresStore(postgres_url, "acme").exists()
        db.execute("DELETE FROM reconciler_schema")
        with pytest.raises(StateFileError) as empty:
            PostgresStore(postgres_url, "acme").load()
    assert str(empty.value) == f"{shown}: the reconciler_schema table holds no version"


def test_the_first_write_creates_tables_of_this_version(postgres_url: str) -> None:
    PostgresStore(postgres_url, "acme").append(
        KnownState.new().applied("client:1", _record("Lisboa")), "client:1"
    )
    assert _rows(postgres_url, "SELECT version FROM reconciler_schema") == [(SCHEMA_VERSION,)]
    assert SCHEMA_VERSION == 1


def test_the_stores_own_connection_is_named_bounded_and_closed(postgres_url: str) -> None:
    store = PostgresStore(postgres_url, "acme", connect_timeout=7)
    store.save(KnownState.new())
    [pid] = _own_backends(postgres_url)
    names = _rows(postgres_url, f"SELECT application_name FROM pg_stat_activity WHERE pid = {pid}")
    assert str(names[0][0]).endswith(": reconciler known state")
    own = store._connection  # the store's own connection, looked at from inside
    assert own is not None
    assert own.execute("SHOW statement_timeout").fetchone() == ("5min",)
    assert own.info.get_parameters()["connect_timeout"] == "7"
    assert store.load() == PostgresStore(postgres_url, "acme").load()
    store.close()
    store.close()  # closing twice is fine
    _wait_for_own_backends(postgres_url, set())
    assert store.exists()  # a closed store opens a connection again


def test_under_the_lock_a_store_leaves_its_own_connection_for_the_locks(postgres_url: str) -> None:
    store = PostgresStore(postgres_url, "acme")
    state = KnownState.new().applied("client:1", _record("Lisboa"))
    store.save(state)
    with DatabaseLock(postgres_url, "acme").held("test"):
        held = held_lock(postgres_url, "acme")
        assert held is not None
        later = state.applied("client:2", _record("Porto"))
        store.append(later, "client:2")
        _wait_for_own_backends(postgres_url, {held.connection.info.backend_pid})
        shown = held.connection.execute("SHOW statement_timeout").fetchone()
        assert shown == ("5min",)
    assert PostgresStore(postgres_url, "acme").load() == later


REFUSE = (
    "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql"
    " AS $$BEGIN RAISE EXCEPTION 'refused by a trigger'; END$$",
    "CREATE TRIGGER refuse BEFORE INSERT OR UPDATE OR DELETE ON reconciler_records"
    " FOR EACH ROW EXECUTE FUNCTION refuse()",
)


def test_a_statement_the_server_refuses_names_what_the_store_was_doing(postgres_url: str) -> None:
    store = PostgresStore(postgres_url, "acme")
    state = KnownState.new().applied("client:1", _record("Lisboa"))
    store.save(state)
    shown = store.where.removesuffix(" (account 'acme')")
    with psycopg.connect(postgres_url, autocommit=True) as db:
        for statement in REFUSE:
            db.execute(statement)
    later = state.applied("client:2", _record("Porto"))
    writes = {
        "record a success in the known state": lambda: store.append(later, "client:2"),
        "save the known state": lambda: store.save(later),
        "delete the known state": store.delete,
    }
    for doing, write in writes.items():
        with pytest.raises(StateFileError) as refused:
            write()
        assert str(refused.value) == f"{shown}: cannot {doing}: refused by a trigger"
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("ALTER TABLE reconciler_records RENAME TO elsewhere")
    expected = f'{shown}: cannot read the known state: relation "reconciler_records" does not exist'
    with pytest.raises(StateFileError) as unread:
        PostgresStore(postgres_url, "acme").load()
    assert str(unread.value).startswith(expected)
    with shared_reads(2), pytest.raises(StateFileError) as unread_shared:
        PostgresStore(postgres_url, "acme").load()
    assert str(unread_shared.value).startswith(expected)


def test_deleting_from_a_database_without_tables_is_fine(postgres_url: str) -> None:
    PostgresStore(postgres_url, "acme").delete()
    assert not PostgresStore(postgres_url, "acme").exists()


def test_reading_creates_no_table_over_any_connection(postgres_url: str) -> None:
    assert not PostgresStore(postgres_url, "acme").exists()
    assert PostgresStore(postgres_url, "acme").load().resources == {}
    with shared_reads(2):
        assert PostgresStore(postgres_url, "acme").load().resources == {}
    with DatabaseLock(postgres_url, "acme").held("test"):
        assert PostgresStore(postgres_url, "acme").load().resources == {}
    assert _tables(postgres_url) == [(None, None)]


def test_one_store_used_before_during_and_after_the_lock(postgres_url: str) -> None:
    store = PostgresStore(postgres_url, "acme")
    first = KnownState.new().applied("client:1", _record("Lisboa"))
    store.save(first)
    with DatabaseLock(postgres_url, "acme").held("test"):
        second = first.applied("client:2", _record("Porto"))
        store.append(second, "client:2")
    third = second.applied("client:3", _record("Faro"))
    store.append(third, "client:3")
    assert store.load() == third == PostgresStore(postgres_url, "acme").load()


def test_under_the_lock_reads_go_over_its_connection_even_while_reads_are_shared(
    postgres_url: str,
) -> None:
    state = KnownState.new().applied("client:1", _record("Lisboa"))
    PostgresStore(postgres_url, "acme").save(state)
    _wait_for_own_backends(postgres_url, set())  # the saving store is gone
    with shared_reads(2), DatabaseLock(postgres_url, "acme").held("test"):
        held = held_lock(postgres_url, "acme")
        assert held is not None
        assert PostgresStore(postgres_url, "acme").load() == state
        _wait_for_own_backends(postgres_url, {held.connection.info.backend_pid})


def test_tables_of_a_newer_version_are_named_over_the_lock_and_shared_reads(
    postgres_url: str,
) -> None:
    PostgresStore(postgres_url, "acme").save(KnownState.new())
    shown = PostgresStore(postgres_url, "acme").where.removesuffix(" (account 'acme')")
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("UPDATE reconciler_schema SET version = %s", (SCHEMA_VERSION + 1,))
    newer = f"{shown}: the known-state tables are of version {SCHEMA_VERSION + 1}"
    with shared_reads(2), pytest.raises(StateFileError) as shared:
        PostgresStore(postgres_url, "acme").load()
    assert str(shared.value).startswith(newer)
    with DatabaseLock(postgres_url, "acme").held("test"), pytest.raises(StateFileError) as locked:
        PostgresStore(postgres_url, "acme").load()
    assert newer in str(locked.value)


def test_shared_reads_of_two_databases_read_each_its_own(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    other_url = postgres_server.create_database()
    try:
        here = KnownState.new().applied("client:1", _record("Lisboa"))
        there = KnownState.new().applied("client:1", _record("Porto"))
        PostgresStore(postgres_url, "acme").save(here)
        PostgresStore(other_url, "acme").save(there)
        with shared_reads(2):
            assert PostgresStore(postgres_url, "acme").load() == here
            assert PostgresStore(other_url, "acme").load() == there
    finally:
        postgres_server.drop_database(dbname(other_url))


def test_shared_reads_of_an_unreachable_database_say_so() -> None:
    store = PostgresStore("postgresql://someone:Pg%23Secret@127.0.0.1:9/known", "acme", 1)
    with shared_reads(2), pytest.raises(DatabaseUnreachable) as unreachable:
        store.load()
    assert str(unreachable.value).startswith(
        "postgresql://someone:***@127.0.0.1:9/known: cannot connect to the known-state database"
    )
