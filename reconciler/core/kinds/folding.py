"""The fold's bookkeeping, shared by the kinds: the known state being folded, the drift found,
the resources recorded from the live account, and the one way declared fields are folded.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from reconciler.core import normalize as norm
from reconciler.core.diff import FieldChange
from reconciler.core.known import KnownState, Record

LIVE_ANSWER = {"source": "live account"}
"""The ``answer`` of a record made from the live account rather than from a call."""


@dataclass(frozen=True)
class Drift:
    """One declared resource whose live state differs from what was last applied.

    ``changes`` hold the last applied value as ``before`` and the live one as ``after``.
    """

    resource: str
    changes: tuple[FieldChange, ...] = ()
    gone: bool = False


class Folder:
    """Accumulates the new known state, the drift found and the resources recorded; ``at`` is
    the time a record made from the live account is stamped with."""

    def __init__(self, known: KnownState, at: str) -> None:
        self.state = known
        self.at = at
        self.drift: list[Drift] = []
        self.recorded: list[str] = []
        self.unreadable: set[str] = set()
        self.read = 0

    def put(self, resource: str, record: Record) -> None:
        self.state = self.state.applied(resource, record)

    def drop(self, resource: str) -> None:
        self.state = self.state.without((resource,))

    def fields(
        self, resource: str, declared: Mapping[str, Any], live: Mapping[str, Any] | None
    ) -> None:
        self.read += 1
        record = self.state.get(resource)
        if live is None:
            self.drift.append(Drift(resource, gone=True))
            self.drop(resource)
            return
        applied: dict[str, Any] = copy.deepcopy(dict(record.applied)) if record else {}
        changes: list[FieldChange] = []
        for path, wanted in norm.flatten(declared):
            if path in norm.SECRET_PATHS:
                continue
            if not norm.has(live, path):
                self.unreadable.add(f"{resource.partition(':')[0]}.{path}")
                continue
            now_live = norm.lookup(live, path)
            if record is not None and norm.has(applied, path):
                before = norm.lookup(applied, path)
                if not norm.equivalent(path, before, now_live):
                    changes.append(FieldChange(path, before, now_live))
                    norm.assign(applied, path, now_live)
            else:
                # Never applied: the live value, or the declared one if it is the same value.
                same = norm.equivalent(path, wanted, now_live)
                norm.assign(applied, path, wanted if same else now_live)
        if record is None:
            self.put(resource, Record(applied, self.at, LIVE_ANSWER))
            self.recorded.append(resource)
        elif applied != record.applied:
            self.put(resource, replace(record, applied=applied))
        if changes:
            self.drift.append(Drift(resource, tuple(sorted(changes))))
