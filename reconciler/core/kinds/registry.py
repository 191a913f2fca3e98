"""The resource kinds, in one place: a new kind is one line of ``KINDS``.

Kinds are kept in the order of their first phase; planning, the fold, the guard, targeting,
saved-plan reading, the live reads and verification all loop over this list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from reconciler.core.calls import Action
from reconciler.core.kinds import account, client, sequence
from reconciler.core.kinds.base import Kind

KINDS: list[Kind] = [account.KIND, sequence.KIND, client.KIND]


@dataclass(frozen=True)
class _Index:
    """What the loops ask of the registry, worked out once per change of ``KINDS``."""

    literals: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    kinds: Mapping[Action, Kind] = field(default_factory=dict)
    ordered: tuple[Action, ...] = ()
    by_text: Mapping[str, Action] = field(default_factory=dict)


_index = _Index()


def _reindex() -> None:
    global _index
    every = sorted(
        ((phase, action, kind) for kind in KINDS for action, phase in kind.actions.items()),
        key=lambda item: item[0],
    )
    _index = _Index(
        literals=frozenset(key for kind in KINDS for key in kind.target_literals),
        prefixes=tuple(prefix for kind in KINDS for prefix in kind.key_prefixes),
        kinds={action: kind for _, action, kind in every},
        ordered=tuple(action for _, action, _ in every),
        by_text={str(action): action for _, action, _ in every},
    )


def _first_phase(kind: Kind) -> int:
    return min(kind.actions.values(), default=0)


def register(kind: Kind) -> None:
    """Add a kind, in the order of its first phase (a kind of the same name is replaced)."""
    KINDS[:] = sorted([k for k in KINDS if k.name != kind.name] + [kind], key=_first_phase)
    _reindex()


def unregister(kind: Kind) -> None:
    """Take a kind out again."""
    KINDS[:] = [k for k in KINDS if k is not kind]
    _reindex()


@contextmanager
def registered(kind: Kind) -> Iterator[Kind]:
    """``kind`` registered for the duration of a ``with`` block."""
    register(kind)
    try:
        yield kind
    finally:
        unregister(kind)


def kind_of(action: Action) -> Kind:
    """The kind that plans ``action``; ``KeyError`` for an action no kind plans."""
    return _index.kinds[action]


def phase(action: Action) -> int:
    """When calls of ``action`` run: lower phases first."""
    return kind_of(action).actions[action]


def actions() -> list[Action]:
    """Every action, in the order calls run."""
    return list(_index.ordered)


def action_named(text: object) -> Action:
    """The action whose text is ``text`` (``update client``); ``ValueError`` for none."""
    action = _index.by_text.get(text) if isinstance(text, str) else None
    if action is None:
        raise ValueError(f"{text!r} is not an action")
    return action


def owner(key: str) -> Kind | None:
    """The kind of a known-state key; None for what is no declared resource (a look-up)."""
    return next((kind for kind in KINDS if kind.owns(key)), None)


def is_resource(key: str) -> bool:
    """Whether a known-state key is a resource the desired state declares (not a look-up)."""
    return key in _index.literals or key.startswith(_index.prefixes)


def describe(key: str) -> str:
    """A resource key as shown: ``client 43``, ``account 12345``, ``default sequence``."""
    kind = owner(key)
    if kind is not None:
        return kind.describe(key)
    name, _, identifier = key.partition(":")
    return f"{name} {identifier}" if identifier else name


def target_forms() -> list[str]:
    """Every form ``--target`` takes, kind by kind: groups, keys as they are, ``<prefix>:<id>``."""
    forms: list[str] = []
    for kind in KINDS:
        forms += [kind.target_group] if kind.target_group else []
        forms += [f"{kind.target_group}:<id>"] if kind.target_group in kind.target_prefixes else []
        forms += list(kind.target_literals)
        forms += [f"{p}:<id>" for p in kind.target_prefixes if p != kind.target_group]
    return forms


_reindex()
