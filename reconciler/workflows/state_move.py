"""Moving one account's known state between two backends: its file and a database, both
ways, or to any registered backend's URL."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace

from pydantic import SecretStr

from reconciler.core.known import KnownState
from reconciler.errors import SettingsError, StateFileError
from reconciler.render.counts import counted
from reconciler.storage.backend import Backend, StateBackend
from reconciler.storage.backends import check_location
from reconciler.workflows.target import Target

DATABASE, FILE = "database", "file"
ALIASES = (DATABASE, FILE)
"""``--to database``: the state URL (``--state-url``, else ``RECONCILER_STATE_URL``);
``--to file``: the known-state file (``--state``, else the default beside the desired file)."""


@dataclass(frozen=True)
class Moved:
    """What a move did: from where to where, the state moved, what became of the source, and
    the empty history of another lineage it replaced at the destination (if any)."""

    source: str
    destination: str
    state: KnownState
    retired: str
    replaced: str | None = None


def move_state(target: Target, to: str, timeout: float = 0.0) -> Moved:
    """Copy the target's known state to ``to`` (``database``, ``file``, or a registered
    backend's URL), then retire the source (a file is renamed ``<name>.moved``; a database's
    rows are deleted), holding both locks throughout. The source is the target's backend (its
    state URL's, else its file), or its file when that is where ``to`` points. A destination
    of another lineage is replaced only when it records nothing; one of the same lineage only
    when it is not newer."""
    source, destination = _ends(target, to)
    shown = to if to in ALIASES else destination.where
    command = f"reconciler state move --to {shown} -f {target.file}"
    first, second = sorted((source, destination), key=lambda end: end.where)  # one order
    with (
        first.locked(command, timeout),
        second.locked(command, timeout),
        contextlib.closing(source.store()) as taken,
        contextlib.closing(destination.store()) as kept,
    ):
        return _move(source, taken, destination, kept)


def _ends(target: Target, to: str) -> tuple[Backend, Backend]:
    """The backends a move goes from and to."""
    file, named = target.file_backend(), target.backend()
    if to == DATABASE:
        source, destination = file, named
    elif to == FILE:
        source, destination = named, file
    else:
        check_location(to)
        destination = replace(target, state_url=SecretStr(to)).backend()
        source = named if named.where != destination.where else file
    if source.where == destination.where:
        if to in ALIASES:
            raise SettingsError(
                "which database? set RECONCILER_STATE_URL=postgresql://... (or pass --state-url)"
            )
        raise SettingsError(f"{destination.where}: the known state is kept there already")
    return source, destination


def _move(source: Backend, taken: StateBackend, destination: Backend, kept: StateBackend) -> Moved:
    if not taken.exists():
        raise StateFileError(f"{source.where}: no known state recorded here; nothing to move")
    state = taken.load()
    replaced = None
    if kept.exists():
        there = kept.load()
        if there.lineage != state.lineage:
            if there.resources:
                raise StateFileError(
                    f"{destination.where}: holds another history (lineage {there.lineage}, "
                    f"{counted(len(there.resources), 'resource')} recorded); "
                    "it was not overwritten. "
                    "Move it aside first if it is not needed."
                )
            destination.retire()
            replaced = (
                f"replaced an empty known state (lineage {there.lineage}) that recorded nothing"
            )
    kept.save(state)
    return Moved(source.where, destination.where, state, source.retire(), replaced)
