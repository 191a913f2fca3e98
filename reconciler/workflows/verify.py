"""Read-back verification: after an apply, read each changed resource and compare.

A call that succeeded but whose declared fields the live account does not show as sent is
*applied but not converged*: the API ignored or rewrote a value (``core.verification``). What
is read for a call, and how it is compared, is its kind's to say (``core.kinds``); a kind's
whole list is read once, however many calls need it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from reconciler.api.api_client import ApiClient
from reconciler.api.live import find, read_list, read_one
from reconciler.core.kinds import registry
from reconciler.core.kinds.base import Kind
from reconciler.core.plan import Call
from reconciler.core.report import ApplyReport, Status
from reconciler.core.verification import NotConverged, Verification


async def verify(report: ApplyReport, client: ApiClient) -> Verification:
    """Read back the resource of every call that succeeded and compare its declared fields."""
    calls = [o.call for o in report.outcomes if o.status is Status.SUCCEEDED]
    listed: dict[str, Kind] = {}
    for call in calls:
        kind = registry.kind_of(call.action)
        if kind.read_back(call).how == "list":
            listed[kind.name] = kind
    names = list(listed)
    answers = await asyncio.gather(*(_list(client, listed[name]) for name in names))
    lists = dict(zip(names, answers, strict=True))
    found = await asyncio.gather(*(_check(client, call, lists) for call in calls))
    return Verification(len(calls), tuple(item for items in found for item in items))


async def _list(client: ApiClient, kind: Kind) -> Any:
    assert kind.reading is not None
    return await read_list(client, kind.reading)


async def _check(client: ApiClient, call: Call, lists: dict[str, Any]) -> list[NotConverged]:
    kind = registry.kind_of(call.action)
    need = kind.read_back(call)
    if need.how == "list":
        return kind.verified(call, lists.get(kind.name, ()))
    assert kind.reading is not None
    if need.how == "find":
        return kind.verified(call, await find(client, kind.reading, need.value))
    return kind.verified(call, await read_one(client, kind.reading, need.id))
