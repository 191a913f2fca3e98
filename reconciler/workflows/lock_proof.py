"""The proof, made before each batch of calls an apply sends, that it still holds its lock."""

from __future__ import annotations

import asyncio

from reconciler.storage.backend import StateBackend


class LockProof:
    """Proves, before each batch of calls, that this run still holds the known-state lock.

    A batch is the calls that take a free slot (and have their dependencies met) while one
    proof is under way: each call, once it holds its slot and before it is sent, waits for a
    proof that began after it took the slot. So no call is sent on a proof older than its slot,
    and one round trip (``StateBackend.prove_lock``, off the event loop) covers every call
    dispatched at once; with the slots busy, a proof is made as each call ends.
    """

    def __init__(self, store: StateBackend) -> None:
        self._store = store
        self._next: asyncio.Future[None] | None = None  # the proof the next batch waits for
        self._prover: asyncio.Task[None] | None = None

    async def ready(self) -> None:
        """Return once a proof begun after this call held; ``LockLost`` when it failed."""
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
            self._next.add_done_callback(_retrieved)
            if self._prover is None or self._prover.done():
                self._prover = asyncio.ensure_future(self._prove())
        await asyncio.shield(self._next)

    async def _prove(self) -> None:
        while self._next is not None:
            batch, self._next = self._next, None  # a call arriving now waits for the next proof
            try:
                await asyncio.to_thread(self._store.prove_lock)
            except Exception as error:  # LockLost, or the store's own
                batch.set_exception(error)
            else:
                batch.set_result(None)


def _retrieved(future: asyncio.Future[None]) -> None:
    """Mark a proof's failure as seen, even when every call waiting on it was cancelled."""
    if not future.cancelled():
        future.exception()
