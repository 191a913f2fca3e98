"""Slow start on its own: the first holder is alone, then up to the concurrency hold at once."""

from __future__ import annotations

import asyncio

from reconciler.workflows.slow_start import SlowStart


async def test_the_first_holder_is_alone_then_the_slots_widen_to_the_concurrency() -> None:
    slots = SlowStart(3)
    holding: list[int] = []
    most = 0
    first_in = asyncio.Event()
    release_first = asyncio.Event()
    release_rest = asyncio.Event()

    async def hold(number: int) -> None:
        nonlocal most
        async with slots:
            holding.append(number)
            most = max(most, len(holding))
            if number == 0:
                first_in.set()
                await release_first.wait()
            else:
                await release_rest.wait()
            holding.remove(number)

    tasks = [asyncio.create_task(hold(number)) for number in range(6)]
    await first_in.wait()
    for _ in range(10):  # the others have every chance to enter, and don't
        await asyncio.sleep(0)
    assert holding == [0]
    release_first.set()
    while len(holding) < 3:
        await asyncio.sleep(0)
    for _ in range(10):
        await asyncio.sleep(0)
    assert len(holding) == 3 and 0 not in holding
    release_rest.set()
    await asyncio.gather(*tasks)
    assert most == 3 and holding == []
