"""One writer at a time per known state: the lock, and a journal left behind folded in first."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from reconciler.storage.lock import Owner, StateLock
from reconciler.workflows.target import Target


@contextlib.contextmanager
def state_lock(target: Target, command: str) -> Iterator[Owner | None]:
    """Hold the target's known-state lock; yields the owner of a lock left behind by a process
    that died, if any. Under the lock, a journal left by an interrupted apply is folded into
    the state file first. ``LockHeld`` when another process holds it."""
    with StateLock(target.state_path).held(f"reconciler {command} -f {target.file}") as left:
        store = target.store()
        store.settle(store.load())
        yield left
