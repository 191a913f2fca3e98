"""The resource kinds, in one place: a new kind is one line of ``KINDS``.

Kinds are kept in the order of their first phase; planning, the fold, the guard, targeting,
saved-plan reading, the live reads and verification all loop over this list.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from reconciler.core.calls import Action
from reconciler.core.kinds import account, client, sequence
from reconciler.core.kinds.base import Kind

KINDS: list[Kind] = [account.KIND, sequence.KIND, client.KIND]

_owned: tuple[frozenset[str], tuple[str, ...]] = (frozenset(), ())
"""Every key kept as it is, and every key prefix, of the kinds registered: worked out once."""


def _index() -> None:
    global _owned
    literals = frozenset(key for kind in KINDS for key in kind.target_literals)
    prefixes = tuple(f"{p}:" for kind in KINDS for p in kind.target_prefixes)
    _owned = (literals, prefixes)


def _first_phase(kind: Kind) -> int:
    return min(kind.actions.values(), default=0)


def register(kind: Kind) -> None:
    """Add a kind, in the order of its first phase (a kind of the same name is replaced)."""
    KINDS[:] = sorted([k for k in KINDS if k.name != kind.name] + [kind], key=_first_phase)
    _index()


def unregister(kind: Kind) -> None:
    """Take a kind out again."""
    KINDS[:] = [k for k in KINDS if k is not kind]
    _index()


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
    for kind in KINDS:
        if action in kind.actions:
            return kind
    raise KeyError(str(action))


def phase(action: Action) -> int:
    """When calls of ``action`` run: lower phases first."""
    return kind_of(action).actions[action]


def actions() -> list[Action]:
    """Every action, in the order calls run."""
    every = [(p, a) for kind in KINDS for a, p in kind.actions.items()]
    return [action for _, action in sorted(every, key=lambda pair: pair[0])]


def action_named(text: str) -> Action:
    """The action whose text is ``text`` (``update client``); ``ValueError`` for none."""
    for action in actions():
        if str(action) == text:
            return action
    raise ValueError(f"{text!r} is not an action")


def owner(key: str) -> Kind | None:
    """The kind of a known-state key; None for what is no declared resource (a look-up)."""
    return next((kind for kind in KINDS if kind.owns(key)), None)


def is_resource(key: str) -> bool:
    """Whether a known-state key is a resource the desired state declares (not a look-up)."""
    literals, prefixes = _owned
    return key in literals or key.startswith(prefixes)


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


_index()
