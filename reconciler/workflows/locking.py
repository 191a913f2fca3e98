"""One writer at a time per known state: the lock, and a journal left behind folded in first."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from reconciler.storage.lock import Owner, StateLock
from reconciler.storage.postgres_lock import DatabaseLock
from reconciler.workflows.target import Target


@contextlib.contextmanager
def state_lock(target: Target, command: str, timeout: float = 0.0) -> Iterator[Owner | None]:
    """Hold the target's known-state lock, waiting up to ``timeout`` seconds for it; yields the
    owner of a file lock left behind by a process that died, if any. Under a file lock, a
    journal left by an interrupted apply is folded into the state file first. ``LockHeld``
    when another process holds it.

    A database's lock is a session advisory lock, released with its connection: nothing is
    ever left behind.
    """
    owner = f"reconciler {command} -f {target.file}"
    if target.state_url is not None:
        url, timeout_s = target.state_url.get_secret_value(), target.tool_settings().connect_timeout
        lock = DatabaseLock(url, target.account, timeout_s)
        with lock.held(owner, timeout):
            yield None
        return
    with StateLock(target.state_path).held(owner, timeout) as left:
        store = target.file_store()
        store.settle(store.load())
        yield left


def force_unlock(target: Target) -> str:
    """Remove a file lock whose holder is gone, or say who holds the database's lock."""
    if target.state_url is not None:
        return DatabaseLock(target.state_url.get_secret_value(), target.account).force_unlock()
    return StateLock(target.state_path).force_unlock()
