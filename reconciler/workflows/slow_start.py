"""Slow start: an apply's first call goes alone, then the apply widens to its concurrency.

An answer that dooms every call (a wrong API key's 401) then costs one request, not one per
slot: the calls waiting behind the first ask the breaker only once its answer is in.
"""

from __future__ import annotations

import asyncio
from types import TracebackType


class SlowStart:
    """``async with slots:`` holds one of ``concurrency`` slots; nobody else holds one until the
    first holder has let go of its own."""

    def __init__(self, concurrency: int) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._first_taken = False
        self._widened = asyncio.Event()

    async def __aenter__(self) -> None:
        if self._first_taken:
            await self._widened.wait()
        self._first_taken = True
        await self._slots.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._slots.release()
        self._widened.set()
