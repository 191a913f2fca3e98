"""The value objects of a plan: an ``Action`` (verb and kind), why a call is needed, where it was
declared, and the ``Call`` itself. Free of any particular kind of resource: the kinds
(``core.kinds``) make them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from reconciler.core.diff import FieldChange


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

    @property
    def symbol(self) -> str:
        """``+`` for what the account gets for the first time, ``~`` for a change."""
        return "~" if self is Reason.CHANGED else "+"


@dataclass(frozen=True)
class Source:
    """Where the YAML that declared a call was written: the file as given, 1-based line, column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, order=True)
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
        the API gives it one (``target_id`` 0), the natural key it is created by, quoted."""
        key = self.resource.partition(":")[2]
        if self.target_id == 0 and key and key != "0":
            return repr(key)
        return str(self.target_id)


@dataclass(frozen=True)
class InSync:
    """A declared resource that needs no call, and why."""

    resource: str
    why: str
