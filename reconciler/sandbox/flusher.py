"""Writes the data file in the background while the server runs, and once more when it stops.

Changes made within one flush interval are written together, by one atomic file write in a
worker thread, so that writes are answered without waiting for the disk. The data is encoded on
the event loop: the encoder holds the GIL wherever it runs, and in a worker thread it would
make each of the loop's socket calls wait for the GIL as well. The last flush runs
after the server has stopped taking requests and the requests in flight have been answered:
after a clean stop the file holds every answered write.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from reconciler.sandbox.store import Store

logger = logging.getLogger(__name__)


async def _flush(store: Store) -> None:
    pending = store.pending()
    if pending is not None:
        await asyncio.to_thread(store.save, *pending)


async def _flush_periodically(store: Store) -> None:
    while True:
        await asyncio.sleep(store.flush_interval)
        if store.dirty:
            try:
                await _flush(store)
            except OSError:
                # A full disk or a removed folder: kept in memory, tried again next interval,
                # and the last flush, at shutdown, raises.
                logger.exception("cannot write the sandbox data file %s", store.path)


def flushing(store: Store) -> Callable[[web.Application], AsyncIterator[None]]:
    """An aiohttp cleanup context that flushes ``store`` in the background while the app runs
    (with a data file and a flush interval above 0), and flushes it when the app stops."""

    async def run(app: web.Application) -> AsyncIterator[None]:
        if store.path is None:
            yield
            return
        task = None
        if store.flush_interval > 0:
            task = asyncio.create_task(_flush_periodically(store), name="sandbox-data-flush")
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            # A write the task had started in a thread goes on; ``save`` waits for it, then
            # writes what is left.
            await _flush(store)

    return run
