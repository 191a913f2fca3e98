"""One writer at a time per known state: the lock of the target's backend."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from reconciler.storage.lock import Owner
from reconciler.workflows.target import Target


@contextlib.contextmanager
def state_lock(target: Target, command: str, timeout: float = 0.0) -> Iterator[Owner | None]:
    """Hold the target's known-state lock, waiting up to ``timeout`` seconds for it; yields the
    owner of a lock left behind by a process that died, if any (a file lock's). Successes an
    interrupted apply left outside the stored state (a file's journal) are folded in first.
    ``LockHeld`` when another process holds it.

    A database's lock is a session advisory lock, released with its connection: nothing is
    ever left behind.
    """
    with target.backend().locked(f"reconciler {command} -f {target.file}", timeout) as left:
        yield left


def force_unlock(target: Target) -> str:
    """Remove a lock whose holder is gone, or say who holds it (a database's lock)."""
    return target.backend().force_unlock()
