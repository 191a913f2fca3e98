"""Read-back verification: after an apply, read each changed resource and compare.

A call that succeeded but whose declared fields the live account does not show as sent is
*applied but not converged*: the API ignored or rewrote a value (``core.verification``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from reconciler.api.client import ApiClient
from reconciler.api.live import find_client_by_code, read_account, read_client, read_sequences
from reconciler.core import normalize as norm
from reconciler.core.plan import Action, Call
from reconciler.core.report import ApplyReport, Status
from reconciler.core.verification import NOT_FOUND, NotConverged, Verification, compare


async def verify(report: ApplyReport, client: ApiClient) -> Verification:
    """Read back the resource of every call that succeeded and compare its declared fields."""
    calls = [o.call for o in report.outcomes if o.status is Status.SUCCEEDED]
    needs_sequences = any(
        c.action in (Action.REGISTER_SEQUENCE, Action.SET_DEFAULT_SEQUENCE) for c in calls
    )
    sequences = await read_sequences(client) if needs_sequences else ()
    found = await asyncio.gather(*(_check(client, call, sequences) for call in calls))
    return Verification(len(calls), tuple(item for items in found for item in items))


async def _check(
    client: ApiClient, call: Call, sequences: tuple[Mapping[str, Any], ...]
) -> list[NotConverged]:
    if call.action is Action.REGISTER_SEQUENCE:
        sequence = next((s for s in sequences if int(s["id"]) == call.target_id), None)
        registered = sequence is not None and norm.is_registered(sequence)
        return [] if registered else [NotConverged(call, "registered", True, False)]
    if call.action is Action.SET_DEFAULT_SEQUENCE:
        live_default = norm.default_sequence(list(sequences))
        if live_default == call.target_id:
            return []
        return [NotConverged(call, "default", call.target_id, live_default)]
    if call.action is Action.UPDATE_ACCOUNT:
        view = await read_account(client, call.target_id)
        live = norm.live_account(view) if view is not None else None
    elif call.action is Action.UPDATE_CLIENT:
        view = await read_client(client, call.target_id)
        live = norm.live_client(view) if view is not None else None
    else:
        view = await find_client_by_code(client, str(call.record["code"]))
        live = norm.live_client(view) if view is not None else None
    if live is None:
        return [NotConverged(call, "(resource)", "present", NOT_FOUND)]
    return compare(call, call.record, live)
