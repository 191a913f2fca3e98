"""References to live objects, resolved to ids: resources the desired state names by their
natural key (a client by its ``code``, a sequence by its ``serie``), kind by kind (the pure
half: what the known state and the look-ups already made say; ``workflows.resolve`` looks up
the rest on the live account).

Each kind of the registry with a ``natural_key`` says which natural keys the desired state
names (``Kind.named``) and fills in their ids (``Kind.resolve``). A natural key is looked up
first in the known state (the records of the kind's resources applied before, and earlier
look-ups), then on the live account (the kind's look-up endpoint, e.g.
``GET /clients/find-by-code.json``, else its whole list, e.g. ``GET /sequences.json``). What was
looked up on the live account is kept as look-up records (``Kind.lookup_prefix``), so the next
run needs no look-up. One found nowhere is created when the kind creates and that is allowed
(by ``--create-missing``, or by the kind's own option in the file: ``Kind.may_create``), else
it is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from reconciler.core.kinds import registry
from reconciler.core.kinds.base import Kind
from reconciler.core.kinds.resolving import Resolving
from reconciler.core.known import KnownState, Record
from reconciler.desired.document import Desired
from reconciler.desired.models import DesiredState
from reconciler.errors import Problem, ValidationFailed

ByKind = Mapping[str, Mapping[str, int]]
"""Natural key → id, by kind name."""


@dataclass(frozen=True)
class Resolution:
    """The desired state with ids filled in, and how each reference was resolved (by kind
    name): ``found`` on the live account, ``to_create`` (found nowhere), and every natural key
    the file ``named`` with the id it stands for."""

    desired: Desired
    known: KnownState
    found: ByKind = field(default_factory=dict)
    to_create: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    named: ByKind = field(default_factory=dict)

    @property
    def creatable(self) -> frozenset[str]:
        """Every resource to create, as its kind names the creation (``Kind.creation_key``: a
        client's code, ``new-sequence:2027``), so a client code equal to a serie is not taken for
        the serie's creation."""
        kinds = {kind.name: kind for kind in registry.KINDS}
        return frozenset(
            kinds[name].creation_key(key) for name, keys in self.to_create.items() for key in keys
        )


@dataclass(frozen=True)
class Pending:
    """What the known state can't resolve: natural keys to look up live (``unknown``); and
    what it can (``known``), read from it once; both by kind name."""

    unknown: Mapping[str, tuple[str, ...]]
    known: ByKind = field(default_factory=dict)

    @property
    def needs_api(self) -> bool:
        return any(self.unknown.values())


def resolving_kinds() -> list[Kind]:
    """The kinds whose resources may be named by a natural key, in the registry's order."""
    return [kind for kind in registry.KINDS if kind.natural_key]


Records = Mapping[str, list[tuple[str, Record]]]
"""The known state's records grouped by their key's text before its first ``:``."""


def known_keys(kind: Kind, known: KnownState, records: Records | None = None) -> dict[str, int]:
    """Natural key → id for ``kind``, from earlier look-ups and the kind's records
    (``records``: the known state's, grouped by ``by_first_part``, when the caller has them)."""
    keys: dict[str, int] = {}
    prefix = kind.lookup_prefix
    if prefix:
        looked_up = known.resources.items() if records is None else _starting(records, prefix)
        for key, record in looked_up:
            if key.startswith(prefix) and isinstance(record.applied.get("id"), int):
                keys[key.removeprefix(prefix)] = record.applied["id"]
    owned = None if records is None else kind.owned_among(known, records)
    keys.update(kind.recorded_keys(known, owned))
    return keys


def by_first_part(known: KnownState) -> dict[str, list[tuple[str, Record]]]:
    """The known state's records grouped by their key's text before its first ``:`` (all of
    it without one): every key that starts with a given text holding a ``:`` is in the group
    of that text's first part."""
    groups: dict[str, list[tuple[str, Record]]] = {}
    for item in known.resources.items():
        groups.setdefault(item[0].partition(":")[0], []).append(item)
    return groups


def _starting(records: Records, prefix: str) -> list[tuple[str, Record]]:
    """The records whose key may start with ``prefix`` (which holds a ``:``)."""
    return records.get(prefix.partition(":")[0], [])


def pending(state: DesiredState, known: KnownState) -> Pending:
    """The references the known state can't resolve. A kind whose resources the file names
    by id alone has no natural key to resolve (a kind resolves only the keys ``named`` gives),
    so its keys are not read from the known state."""
    kinds = resolving_kinds()
    named = {kind.name: kind.named(state) for kind in kinds}
    records = by_first_part(known) if any(named.values()) else {}
    keys = {
        kind.name: known_keys(kind, known, records) if named[kind.name] else {} for kind in kinds
    }
    unknown = {
        kind.name: tuple(dict.fromkeys(k for k in named[kind.name] if k not in keys[kind.name]))
        for kind in kinds
    }
    return Pending(unknown, keys)


def resolve_with(
    desired: Desired,
    known: KnownState,
    keys: ByKind,
    *,
    create_missing: bool,
    looked_up: ByKind | None = None,
    at: str,
) -> Resolution:
    """Resolve against known mappings (by kind: natural key → id); the pure half of
    ``resolve``. ``looked_up`` is what was found on the live account, recorded as look-ups
    stamped ``at``."""
    state = desired.state
    problems: list[Problem] = []
    update: dict[str, object] = {}
    to_create: dict[str, tuple[str, ...]] = {}
    named: dict[str, dict[str, int]] = {}
    for kind in resolving_kinds():
        allowed = create_missing or kind.may_create(state)
        resolving = Resolving(desired, keys.get(kind.name, {}), allowed)
        kind.resolve(resolving)
        problems += resolving.problems
        update.update(resolving.update)
        if resolving.to_create:
            to_create[kind.name] = tuple(resolving.to_create)
        named[kind.name] = {k: resolving.keys[k] for k in kind.named(state) if k in resolving.keys}
    if problems:
        raise ValidationFailed(problems)
    resolved = state.model_copy(update=update)
    found = looked_up or {}
    for kind in resolving_kinds():
        for value, identifier in found.get(kind.name, {}).items() if kind.lookup_prefix else ():
            record = Record({"id": identifier}, at)
            known = known.applied(kind.lookup_prefix + value, record)
    return Resolution(
        Desired(desired.file, resolved, desired.source),
        known,
        {name: dict(values) for name, values in found.items()},
        to_create,
        named,
    )
