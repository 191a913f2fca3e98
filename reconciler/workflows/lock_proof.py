"""The proof, made before each batch of calls an apply sends, that it still holds its lock."""

from __future__ import annotations

import asyncio

from reconciler.storage.backend import StateBackend


class LockProof:
    """Proves, before each batch of calls, that this run still holds the known-state lock.

    A batch is the calls that take a free slot (and have their dependencies met) while one
    proof is under way, or, when none is, the call that starts the next one: each call, once
    it holds its slot, is sent only after a proof that had not yet returned when it took the
    slot succeeds. So the check a call rests on ran no earlier than the start of a proof still
    under way when it took its slot, and one round trip (``StateBackend.prove_lock``, off the
    event loop) covers every call that gets a slot meanwhile.

    A store whose lock the operating system holds for as long as the process lives (a file
    lock) says so with ``lock_held_by_process = True``: there is nothing to prove, and no
    proof is made.
    """

    def __init__(self, store: StateBackend) -> None:
        self._store = store
        self._needed = getattr(store, "lock_held_by_process", False) is not True
        self._proof: asyncio.Future[None] | None = None  # the latest proof, under way or done

    async def ready(self) -> None:
        """Return once the proof under way, or a new one, held; ``LockLost`` when it failed."""
        if not self._needed:
            return
        if self._proof is None or self._proof.done():
            self._proof = asyncio.ensure_future(asyncio.to_thread(self._store.prove_lock))
            self._proof.add_done_callback(_retrieved)
        await asyncio.shield(self._proof)


def _retrieved(future: asyncio.Future[None]) -> None:
    """Mark a proof's failure as seen, even when every call waiting on it was cancelled."""
    if not future.cancelled():
        future.exception()
