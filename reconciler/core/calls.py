"""The value objects of a plan: an ``Action`` (verb and kind), why a call is needed, where it was
declared, and the ``Call`` itself. Free of any particular kind of resource: the kinds
(``core.kinds``) make them.

A call on a resource that the same plan creates (registering a serie created just before) can't
name its id when it is planned: its path names the creation instead, as a placeholder
(``/sequences/{new-sequence:2027}/register.json``), and so may its resource and record. Once
the creation has succeeded, the apply binds the call to the id the API gave (``Call.bound``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from reconciler.core.diff import FieldChange
from reconciler.core.slots import slot_setters

_PLACEHOLDER = re.compile(r"\{(new-[a-z-]+:.+)\}(?=/[^{}]*\Z|\Z)", re.DOTALL)
"""A creation's key in a path, ``{new-<kind>:<natural key>}``: at most one in a path, followed by
no other brace, so the natural key may hold any character."""


def placeholder(resource: str) -> str:
    """How a call names the id of ``resource``, a creation of the same plan: ``{new-x:key}``."""
    return "{" + resource + "}"


@dataclass(frozen=True)
class Action:
    """What a call does: a verb done to a kind of resource. Its text (``update client``,
    ``set default sequence``) is its name in plans, saved plans and summaries; which kinds and
    verbs exist is for ``core.kinds`` to say."""

    verb: str
    kind: str

    def __str__(self) -> str:
        return f"{self.verb} {self.kind}"


class Reason(StrEnum):
    """Why a call is needed; the value is its text in plans, and ``symbol`` its mark."""

    NEVER_APPLIED = "never applied"
    CHANGED = "changed since last apply"
    NOT_REGISTERED = "not yet registered"
    NO_CLIENT_WITH_CODE = "no client has this code"
    NO_SEQUENCE_WITH_SERIE = "no sequence has this serie"
    NONE_WITH_NAME = "none on the account has this name"

    @property
    def symbol(self) -> str:
        """``+`` for what the account gets for the first time, ``~`` for a change."""
        return "~" if self is Reason.CHANGED else "+"


@dataclass(frozen=True, slots=True, init=False)
class Source:
    """Where the YAML that declared a call was written: the file as given, 1-based line, column."""

    file: str
    line: int
    column: int

    def __init__(self, file: str, line: int, column: int) -> None:
        # Each slot set directly (a plan makes one of these per call; see ``new_call``).
        _source_file(self, file)
        _source_line(self, line)
        _source_column(self, column)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


_source_file, _source_line, _source_column = slot_setters(Source)


@dataclass(frozen=True, order=True, slots=True)
class Call:
    """One API call of a plan, with why it is needed and what to record once it succeeds."""

    sort_key: tuple[int, int]
    action: Action = field(compare=False)
    resource: str = field(compare=False)
    target_id: int = field(compare=False)
    method: str = field(compare=False)
    path: str = field(compare=False)
    body: Mapping[str, Any] | None = field(compare=False)
    changes: tuple[FieldChange, ...] = field(compare=False)
    reason: Reason = field(compare=False)
    depends_on: tuple[str, ...] = field(compare=False, default=())
    record: Mapping[str, Any] = field(compare=False, default_factory=dict)
    source: Source | None = field(compare=False, default=None)

    @property
    def subject(self) -> str:
        """What the call concerns, as shown: its id, or, for a resource that has no id until
        the API gives it one (``target_id`` 0), the natural key it is created by, quoted; for
        a call waiting for a creation, the natural key of that creation."""
        if self.target_id != 0:
            return str(self.target_id)
        waiting = self.waits_for
        if waiting:
            return repr(waiting.partition(":")[2])
        key = self.resource.partition(":")[2]
        if key and key != "0":
            return repr(key)
        return str(self.target_id)

    @property
    def waits_for(self) -> str:
        """The creation whose id the call's path waits for (``new-sequence:2027``), or ``""``."""
        found = _PLACEHOLDER.search(self.path)
        return found.group(1) if found else ""

    def bound(self, ids: Mapping[str, int]) -> Call:
        """The call with the placeholders of created resources (``ids``: creation → id given)
        replaced by their ids, in its path, resource, target id and record. A creation itself
        may name its own id in its record, to record it."""
        waiting = next((key for key in ids if placeholder(key) in self.path), None)
        if waiting is None:
            if self.resource not in ids:
                return self
            given, name = ids[self.resource], placeholder(self.resource)
            return replace(
                self, record={k: given if v == name else v for k, v in self.record.items()}
            )
        given = ids[waiting]
        name = placeholder(waiting)
        record = {k: given if v == name else v for k, v in self.record.items()}
        return replace(
            self,
            target_id=given,
            path=self.path.replace(name, str(given)),
            resource=self.resource.replace(name, str(given)),
            record=record,
        )


# Each field's slot, set directly (a frozen dataclass sets each through ``object.__setattr__``);
# a field added to ``Call`` makes this line fail on import.
(
    _sort_key,
    _action,
    _resource,
    _target_id,
    _method,
    _path,
    _body,
    _changes,
    _reason,
    _depends_on,
    _record,
    _source,
) = slot_setters(Call)


def new_call(
    sort_key: tuple[int, int],
    action: Action,
    resource: str,
    target_id: int,
    method: str,
    path: str,
    body: Mapping[str, Any] | None,
    changes: tuple[FieldChange, ...],
    reason: Reason,
    depends_on: tuple[str, ...],
    record: Mapping[str, Any],
    source: Source | None,
) -> Call:
    """``Call(...)`` given every field, in their order, for about half the cost: a plan of many
    changed resources makes one for each."""
    call: Call = object.__new__(Call)
    _sort_key(call, sort_key)
    _action(call, action)
    _resource(call, resource)
    _target_id(call, target_id)
    _method(call, method)
    _path(call, path)
    _body(call, body)
    _changes(call, changes)
    _reason(call, reason)
    _depends_on(call, depends_on)
    _record(call, record)
    _source(call, source)
    return call


@dataclass(frozen=True, slots=True, init=False)
class InSync:
    """A declared resource that needs no call, and why."""

    resource: str
    why: str

    def __init__(self, resource: str, why: str) -> None:
        # Each slot set directly (a plan makes one of these per resource; see ``new_call``).
        _in_sync_resource(self, resource)
        _in_sync_why(self, why)


_in_sync_resource, _in_sync_why = slot_setters(InSync)
