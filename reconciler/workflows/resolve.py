"""Resolving references on the live account: resources named by their natural key (a client by
its code, a sequence by its serie), kind by kind.

What the known state can't resolve (``core.references.pending``) is looked up with the kind's
look-up endpoint when its ``Reading`` has one (``GET /clients/find-by-code.json``), else in
its whole list (``GET /sequences.json``, or every page of a paginated one); the rest is pure
(``core.references.resolve_with``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.clock import now
from reconciler.core.kinds.base import Kind
from reconciler.core.known import KnownState
from reconciler.core.references import (
    Pending,
    Resolution,
    pending,
    resolve_with,
    resolving_kinds,
)
from reconciler.desired.document import Desired

if TYPE_CHECKING:  # the API is imported where it is used: the known state often resolves all
    from reconciler.api.api_client import ApiClient


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
    kinds = [kind for kind in resolving_kinds() if todo.unknown.get(kind.name)]
    live: list[tuple[dict[str, int], dict[str, int]]] = []
    if kinds:
        if client is None:
            raise RuntimeError("resolve needs an ApiClient for references not in the known state")
        import asyncio

        looking = (_look_up(client, kind, todo.unknown[kind.name]) for kind in kinds)
        live = list(await asyncio.gather(*looking))
    return _resolved(desired, known, todo, list(zip(kinds, live, strict=True)), create_missing)


def resolve_known(
    desired: Desired, known: KnownState, todo: Pending, *, create_missing: bool
) -> Resolution:
    """Resolve every reference from the known state alone, as ``resolve`` does when ``todo``
    needs nothing looked up (``todo.needs_api`` is false)."""
    return _resolved(desired, known, todo, [], create_missing)


def _resolved(
    desired: Desired,
    known: KnownState,
    todo: Pending,
    live: list[tuple[Kind, tuple[dict[str, int], dict[str, int]]]],
    create_missing: bool,
) -> Resolution:
    """The resolution of ``todo`` from the known state and what ``live`` found, by kind."""
    keys = {name: dict(values) for name, values in todo.known.items()}
    found: dict[str, dict[str, int]] = {}
    for kind, (listed, looked_up) in live:
        keys[kind.name] = {**keys.get(kind.name, {}), **listed}
        found[kind.name] = looked_up
    return resolve_with(
        desired, known, keys, create_missing=create_missing, looked_up=found, at=now()
    )


async def _look_up(
    client: ApiClient, kind: Kind, values: tuple[str, ...]
) -> tuple[dict[str, int], dict[str, int]]:
    """Every natural key → id the live account showed (the whole list, when it was read),
    and those of ``values`` found."""
    import asyncio

    from reconciler.api.live import find, read_all, read_list

    reading = kind.reading
    if reading is None:
        return {}, {}
    if reading.find is None:
        if reading.mode == "list":
            listed = kind.natural_keys(await read_list(client, reading))
        else:
            listed = kind.natural_keys((await read_all(client, reading)).values())
        return listed, {value: listed[value] for value in values if value in listed}
    answers = await asyncio.gather(*(find(client, reading, value) for value in values))
    found = {
        value: identifier
        for value, view in zip(values, answers, strict=True)
        if view is not None and (identifier := kind.live_id(view)) is not None
    }
    return found, found
