"""Resources the file names (taxes, items), resolved to ids: the pure half.

A resource of a kind keyed by name (``core.kinds.named.ByName``) written without ``id`` is
looked up by its name: in the known state (the records of resources applied before, and
earlier look-ups), then in the kind's live list (``workflows.resolve``). One found nowhere is
created when that is allowed, else it is an error at its ``name``. A field naming a resource
of another kind (an item's ``tax``) must name one the file declares or the live account has,
else it is an error at that field. What was looked up live is kept as ``lookup:`` records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from reconciler.core.kinds import registry
from reconciler.core.kinds.named import ByName
from reconciler.core.known import KnownState, Record, now
from reconciler.desired.document import Desired, problem_at
from reconciler.desired.loader import YamlPath
from reconciler.desired.models import DesiredState
from reconciler.errors import Problem


def named_kinds() -> list[ByName]:
    """The registered kinds keyed by name."""
    return [kind for kind in registry.KINDS if isinstance(kind, ByName)]


@dataclass(frozen=True)
class NamesPending:
    """Per kind: the names to look up live, and name → id as the known state has it."""

    wanted: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    known: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    @property
    def needs_api(self) -> bool:
        return any(self.wanted.values())


@dataclass(frozen=True)
class NamesResolved:
    """The models with ids filled in (by slot), the keys to create, and what was found live."""

    slots: Mapping[str, tuple[BaseModel, ...]]
    to_create: tuple[str, ...]
    found: Mapping[str, int]
    known: KnownState


def _referred(state: DesiredState) -> dict[str, list[str]]:
    """Names each kind is referred to by from other kinds' fields."""
    referred: dict[str, list[str]] = {}
    for kind in named_kinds():
        for model in getattr(state, kind.slot):
            for name, other in kind.refers.items():
                value = getattr(model, name)
                if isinstance(value, str):
                    referred.setdefault(other, []).append(value)
    return referred


def pending_names(state: DesiredState, known: KnownState) -> NamesPending:
    """The names the known state can't resolve, kind by kind."""
    referred = _referred(state)
    wanted: dict[str, tuple[str, ...]] = {}
    knowns: dict[str, Mapping[str, int]] = {}
    for kind in named_kinds():
        names = kind.names(known)
        models = getattr(state, kind.slot)
        declared = {m.name for m in models}
        todo = [m.name for m in models if m.id is None and m.name not in names]
        todo += [n for n in referred.get(kind.name, []) if n not in declared and n not in names]
        wanted[kind.name] = tuple(dict.fromkeys(todo))
        knowns[kind.name] = names
    return NamesPending(wanted, knowns)


def resolve_names(
    desired: Desired,
    known: KnownState,
    lists: Mapping[str, Any],
    *,
    create_missing: bool,
    problems: list[Problem],
) -> NamesResolved:
    """Fill in ids by name (from the known state, then from each kind's live list in
    ``lists``), gather what to create and the problems; record the look-ups."""
    state = desired.state
    todo = pending_names(state, known)
    names: dict[str, Mapping[str, int]] = {}
    looked_up: dict[str, Mapping[str, int]] = {}
    for kind in named_kinds():
        live = kind.live_names(lists[kind.name]) if kind.name in lists else {}
        names[kind.name] = {**todo.known.get(kind.name, {}), **live}
        wanted = todo.wanted.get(kind.name, ())
        looked_up[kind.name] = {n: live[n] for n in wanted if n in live}
    slots: dict[str, tuple[BaseModel, ...]] = {}
    to_create: list[str] = []
    found: dict[str, int] = {}
    for kind in named_kinds():
        options = state.options
        allowed = create_missing or bool(options is not None and getattr(options, kind.option))
        by_name = names.get(kind.name, {})
        slots[kind.slot] = _one_kind(desired, kind, by_name, allowed, to_create, problems)
        for name, identifier in looked_up.get(kind.name, {}).items():
            known = known.applied(kind.lookup + name, Record({"id": identifier}, now()))
            found[f"{kind.name} {name!r}"] = identifier
    _references(desired, names, problems)
    return NamesResolved(slots, tuple(to_create), found, known)


def _one_kind(
    desired: Desired,
    kind: ByName,
    by_name: Mapping[str, int],
    allowed: bool,
    to_create: list[str],
    problems: list[Problem],
) -> tuple[BaseModel, ...]:
    models = getattr(desired.state, kind.slot)
    declared: dict[int, int] = {m.id: i for i, m in enumerate(models) if m.id is not None}
    out: list[BaseModel] = []
    for index, model in enumerate(models):
        if model.id is not None:
            out.append(model)
            continue
        where: YamlPath = (kind.slot, index, "name")
        identifier = by_name.get(model.name)
        if identifier is None:
            if not allowed:
                problems.append(problem_at(desired, where, _not_found(kind, model.name)))
            to_create.append(kind.to_create + model.name)
            out.append(model)
            continue
        if identifier in declared:
            other = desired.source.locate((kind.slot, declared[identifier])).line
            message = (
                f"{kind.name} name '{model.name}' is {kind.name} {identifier}, which is also "
                f"declared at line {other}"
            )
            problems.append(problem_at(desired, where, message))
            continue
        declared[identifier] = index
        out.append(model.model_copy(update={"id": identifier}))
    return tuple(out)


def _references(
    desired: Desired, names: Mapping[str, Mapping[str, int]], problems: list[Problem]
) -> None:
    """Every field naming another kind's resource names one the file or the account has."""
    state = desired.state
    slots = {kind.name: kind.slot for kind in named_kinds()}
    for kind in named_kinds():
        for index, model in enumerate(getattr(state, kind.slot)):
            for name, other in kind.refers.items():
                value: Any = getattr(model, name)
                if not isinstance(value, str):
                    continue
                declared = {m.name for m in getattr(state, slots[other])}
                if value in declared or value in names.get(other, {}):
                    continue
                message = f"no {other} is named '{value}' in the file or on the live account"
                problems.append(problem_at(desired, (kind.slot, index, name), message))


def _not_found(kind: ByName, name: str) -> str:
    return (
        f"no {kind.name} is named '{name}' on the live account: write its id, or allow "
        f"creating it (--create-missing, or 'options: {{{kind.option}: true}}' in the file)"
    )
