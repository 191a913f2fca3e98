"""Resolving references on the live account: clients by code, sequences by serie.

What the known state can't resolve (``core.references.pending``) is looked up with
``GET /clients/find-by-code.json`` and ``GET /sequences.json``; the rest is pure
(``core.references.resolve_with``).
"""

from __future__ import annotations

import asyncio

from reconciler.api.client import ApiClient
from reconciler.api.live import find, read_list
from reconciler.clock import now
from reconciler.core import normalize as norm
from reconciler.core.kinds import client as client_kind
from reconciler.core.kinds import sequence as sequence_kind
from reconciler.core.known import KnownState
from reconciler.core.references import Pending, Resolution, pending, resolve_with
from reconciler.desired.document import Desired


async def resolve(
    desired: Desired,
    known: KnownState,
    client: ApiClient | None,
    *,
    create_missing: bool,
    todo: Pending | None = None,
) -> Resolution:
    """Resolve every reference, on the live account where needed (``client`` must then be
    given); raise ``ValidationFailed`` for references that can't be resolved. ``todo`` is
    ``pending(desired.state, known)`` when the caller has it already."""
    todo = todo or pending(desired.state, known)
    found: dict[str, int] = {}
    live_series: dict[str, int] = {}
    if todo.needs_api:
        if client is None:
            raise RuntimeError("resolve needs an ApiClient for references not in the known state")
        clients = client_kind.KIND.reading
        assert clients is not None
        answers = await asyncio.gather(*(find(client, clients, c) for c in todo.codes))
        found = {
            code: identifier
            for code, view in zip(todo.codes, answers, strict=True)
            if view is not None and (identifier := norm.client_id(view)) is not None
        }
        if todo.series:
            sequences = sequence_kind.KIND.reading
            assert sequences is not None
            live_series = norm.series_ids(await read_list(client, sequences))
    return resolve_with(
        desired,
        known,
        {**todo.known_codes, **found},
        {**todo.known_series, **live_series},
        create_missing=create_missing,
        looked_up=(found, {s: live_series[s] for s in todo.series if s in live_series}),
        at=now(),
    )
