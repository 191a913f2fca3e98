"""Refresh: read the declared resources from the live account, report drift, and record the
live values in the known state (at once, or once the operator approves what would be written)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from reconciler.core.known import KnownState
from reconciler.core.live_fold import Refreshed
from reconciler.desired.document import Desired
from reconciler.storage.drift_log import log_drift
from reconciler.workflows.session import Reading, digest_key, read_side
from reconciler.workflows.state_lock import state_lock
from reconciler.workflows.target import Target


@dataclass(frozen=True)
class ReadRefresh:
    """What a refresh read, and what it would write: ``changed`` are the resources whose
    record the live values change (drift folded in, resources recorded for the first time)."""

    refreshed: Refreshed
    before: KnownState
    changed: tuple[str, ...]


def read_refresh(
    target: Target, desired: Desired, reading: Reading = contextlib.nullcontext
) -> ReadRefresh:
    """Fold the live account into the known state in memory only, and say what it changes;
    ``reading`` is held open while the live account is read."""
    tool = target.tool_settings()
    store = target.store()
    key = digest_key(tool, target)
    known = store.load()
    # Clients not on the live account are not an error here: there is nothing to read.
    prepared = read_side(target, desired, store, known, key, tool, True, True, reading, save=False)
    if prepared.refreshed is None:
        raise RuntimeError("a refresh was asked for but none was made")
    after = prepared.refreshed.state.resources
    keys = set(known.resources) | set(after)
    changed = tuple(k for k in sorted(keys) if known.resources.get(k) != after.get(k))
    return ReadRefresh(prepared.refreshed, known, changed)


def write_refresh(target: Target, read: ReadRefresh) -> KnownState:
    """Record what ``read_refresh`` read (under the lock the caller holds) and log its drift."""
    state = read.refreshed.state
    target.store().save(state)
    log_drift(target.state_path, read.refreshed)
    return state


def refresh_account(
    target: Target, desired: Desired, reading: Reading = contextlib.nullcontext
) -> Refreshed:
    """Fold the live account into the known state (saved) and say what drifted; ``reading``
    is held open while the live account is read."""
    read = read_refresh(target, desired, reading)
    write_refresh(target, read)
    return read.refreshed


def write_unless_changed(target: Target, read: ReadRefresh) -> bool:
    """Under the account's lock (waiting up to its lock timeout), record what ``read_refresh``
    read, unless the known state changed since it was read (an apply or refresh ran
    meanwhile): then nothing is written and the answer is false, so stale live values never
    replace newer records."""
    with state_lock(target, "refresh", target.lock_timeout):
        store = target.store()
        try:
            if store.load() != read.before:
                return False
        finally:
            store.close()
        write_refresh(target, read)
        return True
