"""What ``reconciler import`` writes for a kind: its section of the desired-state file, as data.

A kind sets ``Kind.section`` to a ``Section``: the top-level key, the shape, and how the fields
of each resource are laid out (``Layout``). ``workflows/import_document.py`` writes every
kind's section with ruamel.yaml, in the registry's order, and brings an existing file's
sections up to the live account the same way; it knows no kind by name. Every text it writes
from the live account is escaped for the loader (``$`` as ``$$``); only a ``Reference`` is
written as a ``${VAR}`` reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

Shape = Literal["mapping", "list", "references"]
"""``mapping``: the one resource of the kind (the account), id first; ``list``: one entry per
live resource, id first, sorted by id, an existing entry matched by id or else by the kind's
natural key; ``references``: a mapping whose fields name live resources, each by id or by its
natural key as the file already does (a single one replaced when the live one differs, a list
extended by the live ones it lacks)."""


@dataclass(frozen=True)
class Reference:
    """A secret the API never shows: written as a reference to ``variable``, with a comment
    saying so, wherever the mapping it belongs to is written. Never updated in place."""

    field: str
    variable: str

    @property
    def text(self) -> str:
        """``${AT_PASSWORD}``."""
        return "${" + self.variable + "}"

    @property
    def note(self) -> str:
        """The comment beside it."""
        return f"the API never shows it: set {self.variable}"


@dataclass(frozen=True)
class Layout:
    """How one mapping of a resource's fields is written.

    ``first`` fields come first, in order, each with the value written when the live account
    has none; then the ``references``; then every other field with a value, in the order of
    the kind's normalised live answer (empty ones are left out). ``flags`` are written as the
    number ``0`` or ``1``, ``countries`` (an option number of the API's country list) as the
    country's name. ``inner`` lays out the nested mappings, by field name.
    """

    first: tuple[tuple[str, Any], ...] = ()
    references: tuple[Reference, ...] = ()
    flags: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    inner: Mapping[str, Layout] = field(default_factory=lambda: MappingProxyType({}))

    def nested(self, name: str) -> Layout:
        """The layout of the nested mapping ``name`` (the default one when none is declared)."""
        return self.inner.get(name, PLAIN)


PLAIN = Layout()
"""Every field with a value, in the live answer's order, as it is."""


@dataclass(frozen=True)
class Section:
    """A kind's top-level ``key`` in the desired-state file, its ``shape``, the ``layout`` of
    each resource's fields, and (``references``) the fields written as flow lists."""

    key: str
    shape: Shape
    layout: Layout = PLAIN
    flow: frozenset[str] = frozenset()
