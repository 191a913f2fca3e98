"""Moving one account's known state between its file and a database, both ways."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from reconciler.core.known import KnownState
from reconciler.errors import SettingsError, StateFileError
from reconciler.render.counts import counted
from reconciler.storage.backend import StateBackend
from reconciler.storage.lock import StateLock
from reconciler.storage.postgres import PostgresStore
from reconciler.storage.postgres_lock import DatabaseLock
from reconciler.storage.state_file import StateStore
from reconciler.workflows.target import Target

Destination = Literal["database", "file"]


@dataclass(frozen=True)
class Moved:
    """What a move did: from where to where, the state moved, what became of the source, and
    the empty history of another lineage it replaced at the destination (if any)."""

    source: str
    destination: str
    state: KnownState
    retired: str
    replaced: str | None = None


@dataclass(frozen=True)
class _End:
    """One end of a move: a store, its name in messages, and how to take what it holds away."""

    name: str
    store: StateBackend
    clear: Callable[[], str]


def move_state(target: Target, to: Destination, timeout: float = 0.0) -> Moved:
    """Copy the target's known state to ``to`` (the database or the file), then retire the
    source (the file is renamed ``<name>.moved``; the database's rows are deleted), holding
    both locks throughout. A destination of another lineage is replaced only when it records
    nothing; one of the same lineage only when it is not newer."""
    if target.state_url is None:
        raise SettingsError(
            "which database? set RECONCILER_STATE_URL=postgresql://... (or pass --state-url)"
        )
    url = target.state_url.get_secret_value()
    command = f"reconciler state move --to {to} -f {target.file}"
    file, database = target.file_store(), target.database_store()
    file_end = _End(str(file.path), file, lambda: _set_aside(file))
    database_end = _End(database.where, database, lambda: _delete(database))
    with (
        StateLock(target.state_path).held(command, timeout),
        DatabaseLock(url, target.account).held(command, timeout),
        contextlib.closing(database),
    ):
        file.settle(file.load())  # a journal left behind is part of what moves
        if to == "database":
            return _move(file_end, database_end)
        return _move(database_end, file_end)


def _move(source: _End, destination: _End) -> Moved:
    if not source.store.exists():
        raise StateFileError(f"{source.name}: no known state recorded here; nothing to move")
    state = source.store.load()
    replaced = None
    if destination.store.exists():
        there = destination.store.load()
        if there.lineage != state.lineage:
            if there.resources:
                raise StateFileError(
                    f"{destination.name}: holds another history (lineage {there.lineage}, "
                    f"{counted(len(there.resources), 'resource')} recorded); "
                    "it was not overwritten. "
                    "Move it aside first if it is not needed."
                )
            destination.clear()
            replaced = (
                f"replaced an empty known state (lineage {there.lineage}) that recorded nothing"
            )
    destination.store.save(state)
    return Moved(source.name, destination.name, state, source.clear(), replaced)


def _set_aside(file: StateStore) -> str:
    aside = file.path.with_name(file.path.name + ".moved")
    try:
        file.path.replace(aside)
    except OSError as error:
        raise StateFileError(f"{file.path}: cannot rename it aside: {error.strerror}") from None
    return f"the file was renamed {aside}"


def _delete(database: PostgresStore) -> str:
    database.delete()
    return f"{database.where}: deleted from the database"
