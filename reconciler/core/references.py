"""References to live objects, resolved to ids: clients by code, sequences by serie (the pure
half: what the known state and the look-ups already made say; ``workflows.resolve`` looks up
the rest on the live account).

A client declared without ``id`` is looked up by its ``code``: first in the known state (the
records of clients applied before, and earlier look-ups), then on the live account with
``GET /clients/find-by-code.json``. One found nowhere is created when that is allowed, else it
is an error. A sequence named by its serie (quoted text, e.g. ``"2025"``) is looked up in the
known state, then in ``GET /sequences.json``; one found nowhere is created when that is allowed
(it stays a serie in the resolved state, for the sequence kind to plan), else it is an error.
What was looked up on the live account is kept as ``lookup:`` records, so the next run needs
no look-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.core.kinds import client as client_kind
from reconciler.core.kinds import sequence as sequence_kind
from reconciler.core.known import KnownState, Record, now
from reconciler.desired.document import Desired, problem_at
from reconciler.desired.loader import YamlPath
from reconciler.desired.models import Client, DesiredState, Sequences
from reconciler.errors import Problem, ValidationFailed

CODE_LOOKUP_PREFIX = "lookup:client-code:"
SERIE_LOOKUP_PREFIX = sequence_kind.SERIE_LOOKUP


@dataclass(frozen=True)
class Resolution:
    """The desired state with ids filled in, and how each reference was resolved."""

    desired: Desired
    known: KnownState
    found_by_code: Mapping[str, int] = field(default_factory=dict)
    to_create: tuple[str, ...] = ()
    series: Mapping[str, int] = field(default_factory=dict)
    series_to_create: tuple[str, ...] = ()

    @property
    def creatable(self) -> frozenset[str]:
        """What the plan may create: codes of clients, and the keys of series to create."""
        series = (sequence_kind.KIND.creation_key(serie) for serie in self.series_to_create)
        return frozenset((*self.to_create, *series))


@dataclass(frozen=True)
class Pending:
    """What the known state can't resolve: client codes and series to look up live; and what
    it can (code → id, serie → id), read from it once."""

    codes: tuple[str, ...]
    series: tuple[str, ...]
    known_codes: Mapping[str, int] = field(default_factory=dict)
    known_series: Mapping[str, int] = field(default_factory=dict)

    @property
    def needs_api(self) -> bool:
        return bool(self.codes or self.series)


def known_codes(known: KnownState) -> dict[str, int]:
    """Client code → id, from client records and earlier look-ups."""
    codes: dict[str, int] = {}
    for key, record in known.resources.items():
        if key.startswith(CODE_LOOKUP_PREFIX) and isinstance(record.applied.get("id"), int):
            codes[key.removeprefix(CODE_LOOKUP_PREFIX)] = record.applied["id"]
    codes.update(client_kind.KIND.codes(known))
    return codes


def known_series(known: KnownState) -> dict[str, int]:
    """Serie → sequence id, from earlier look-ups."""
    return {
        key.removeprefix(SERIE_LOOKUP_PREFIX): record.applied["id"]
        for key, record in known.resources.items()
        if key.startswith(SERIE_LOOKUP_PREFIX) and isinstance(record.applied.get("id"), int)
    }


def series_of(sequences: Sequences | None) -> list[str]:
    if sequences is None:
        return []
    refs = [sequences.default, *sequences.to_register]
    return [ref for ref in refs if isinstance(ref, str)]


def pending(state: DesiredState, known: KnownState) -> Pending:
    """The references the known state can't resolve."""
    codes, series = known_codes(known), known_series(known)
    return Pending(
        codes=tuple(c.code for c in state.clients if c.id is None and c.code not in codes),
        series=tuple(dict.fromkeys(s for s in series_of(state.sequences) if s not in series)),
        known_codes=codes,
        known_series=series,
    )


def resolve_with(
    desired: Desired,
    known: KnownState,
    codes: Mapping[str, int],
    series: Mapping[str, int],
    *,
    create_missing: bool,
    looked_up: tuple[Mapping[str, int], Mapping[str, int]] = ({}, {}),
) -> Resolution:
    """Resolve against known mappings (code → id, serie → id); the pure half of ``resolve``."""
    state = desired.state
    options = state.options
    allowed = create_missing or (options is not None and options.create_missing_clients)
    series_allowed = create_missing or (options is not None and options.create_missing_series)
    problems: list[Problem] = []
    clients, to_create = _clients(desired, codes, allowed, problems)
    series_to_create: list[str] = []
    sequences = _sequences(desired, series, problems, series_allowed, series_to_create)
    if problems:
        raise ValidationFailed(problems)
    resolved = state.model_copy(update={"clients": clients, "sequences": sequences})
    found_codes, found_series = looked_up
    for code, identifier in found_codes.items():
        known = known.applied(CODE_LOOKUP_PREFIX + code, Record({"id": identifier}, now()))
    for serie, identifier in found_series.items():
        known = known.applied(SERIE_LOOKUP_PREFIX + serie, Record({"id": identifier}, now()))
    used_series = {s: series[s] for s in series_of(state.sequences) if s in series}
    return Resolution(
        Desired(desired.file, resolved, desired.source),
        known,
        dict(found_codes),
        to_create,
        used_series,
        tuple(series_to_create),
    )


def _clients(
    desired: Desired, codes: Mapping[str, int], allowed: bool, problems: list[Problem]
) -> tuple[tuple[Client, ...], tuple[str, ...]]:
    clients = desired.state.clients
    declared: dict[int, int] = {c.id: i for i, c in enumerate(clients) if c.id is not None}
    out: list[Client] = []
    to_create: list[str] = []
    for index, client in enumerate(clients):
        if client.id is not None:
            out.append(client)
            continue
        where: YamlPath = ("clients", index, "code")
        identifier = codes.get(client.code)
        if identifier is None:
            if not allowed:
                problems.append(problem_at(desired, where, _not_found(client.code)))
            to_create.append(client.code)
            out.append(client)
            continue
        if identifier in declared:
            other = desired.source.locate(("clients", declared[identifier])).line
            message = (
                f"client code '{client.code}' is client {identifier}, which is also declared "
                f"at line {other}"
            )
            problems.append(problem_at(desired, where, message))
            continue
        declared[identifier] = index
        out.append(client.model_copy(update={"id": identifier}))
    return tuple(out), tuple(to_create)


def _not_found(code: str) -> str:
    return (
        f"no client has code '{code}' on the live account: write its id, or allow creating it "
        "(--create-missing, or 'options: {create_missing_clients: true}' in the file)"
    )


def _no_serie(serie: str, series: Mapping[str, int]) -> str:
    known = ", ".join(sorted(series)) or "none"
    return (
        f"no sequence has serie '{serie}' (the account has {known}): name one of them, or allow "
        "creating it (--create-missing, or 'options: {create_missing_series: true}' in the file)"
    )


def _sequences(
    desired: Desired,
    series: Mapping[str, int],
    problems: list[Problem],
    allowed: bool,
    to_create: list[str],
) -> Sequences | None:
    """Series resolved to ids; a serie found nowhere stays a serie (added to ``to_create``) when
    creating is allowed, else it is a problem."""
    sequences = desired.state.sequences
    if sequences is None:
        return None

    def one(ref: int | str, where: YamlPath) -> int | str | None:
        if isinstance(ref, int):
            return ref
        if ref in series:
            return series[ref]
        if allowed:
            if ref not in to_create:
                to_create.append(ref)
            return ref
        problems.append(problem_at(desired, where, _no_serie(ref, series)))
        return None

    default = (
        one(sequences.default, ("sequences", "default")) if sequences.default is not None else None
    )
    seen: dict[int | str, int] = {}
    register: list[int | str] = []
    for index, ref in enumerate(sequences.to_register):
        where: YamlPath = ("sequences", "register", index)
        identifier = one(ref, where)
        if identifier is None:
            continue
        if identifier in seen:
            message = f"sequence {identifier} is listed more than once (as {ref!r} here)"
            problems.append(problem_at(desired, where, message))
            continue
        seen[identifier] = index
        register.append(identifier)
    update: dict[str, Any] = {"default": default, "to_register": tuple(register)}
    return sequences.model_copy(update=update)
