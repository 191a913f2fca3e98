"""The known state as data: what was last applied, per resource, with the lineage id (which
history this is) and the serial (bumped by every recorded success). Where it is kept is
``reconciler.storage``'s business; this module does no I/O.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from reconciler.core.slots import slot_setters

FORMAT_VERSION = 1
"""The version of the known-state document ``KnownState.to_json`` makes."""


@dataclass(frozen=True, slots=True, init=False)
class Record:
    """What was last applied to one resource, and the API's answers that matter."""

    applied: Mapping[str, Any]
    applied_at: str
    answer: Mapping[str, Any] | None = None

    def __init__(
        self, applied: Mapping[str, Any], applied_at: str, answer: Mapping[str, Any] | None = None
    ) -> None:
        # Each slot set directly (a frozen dataclass's ``__init__`` goes through
        # ``object.__setattr__``): a known state of many resources makes one for each.
        _set_applied(self, applied)
        _set_applied_at(self, applied_at)
        _set_answer(self, answer)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"applied": dict(self.applied), "applied_at": self.applied_at}
        if self.answer is not None:
            data["answer"] = dict(self.answer)
        return data

    @classmethod
    def from_json(cls, data: Any) -> Record:
        applied = data.get("applied") if isinstance(data, dict) else None
        if not isinstance(applied, dict):
            raise ValueError("a record needs an 'applied' mapping")
        answer = data.get("answer")
        if answer is not None and not isinstance(answer, dict):
            raise ValueError("a record's 'answer' must be a mapping")
        at = data.get("applied_at", "")
        return cls(applied, at if type(at) is str else str(at), answer)


_set_applied, _set_applied_at, _set_answer = slot_setters(Record)


@dataclass(frozen=True)
class KnownState:
    """Every resource's record, plus the lineage, serial and digest-key fingerprint."""

    lineage: str
    serial: int = 0
    key_id: str | None = None
    resources: Mapping[str, Record] = field(default_factory=dict, repr=False)  # can be huge

    @classmethod
    def new(cls) -> KnownState:
        """An empty known state with a fresh lineage."""
        return cls(lineage=str(uuid.uuid4()))

    def get(self, key: str) -> Record | None:
        """The record of one resource, if it was ever applied."""
        return self.resources.get(key)

    def applied(self, key: str, record: Record, key_id: str | None = None) -> KnownState:
        """A new known state with one more success folded in (this one is left as it is)."""
        return replace(
            self,
            serial=self.serial + 1,
            key_id=key_id if key_id is not None else self.key_id,
            resources=Folded.of(self.resources, key, record),
        )

    def without(self, keys: Iterable[str]) -> KnownState:
        """A new known state with the records of ``keys`` dropped (one serial for all)."""
        gone = set(keys) & set(self.resources)
        if not gone:
            return self
        kept = {k: v for k, v in self.resources.items() if k not in gone}
        return replace(self, serial=self.serial + 1, resources=kept)

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "lineage": self.lineage,
            "serial": self.serial,
            "key_id": self.key_id,
            "resources": {k: self.resources[k].to_json() for k in sorted(self.resources)},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KnownState:
        resources = data.get("resources")
        if not isinstance(resources, dict):
            raise ValueError("'resources' must be a mapping")
        serial = data.get("serial")
        if not isinstance(serial, int) or isinstance(serial, bool) or serial < 0:
            raise ValueError("'serial' must be a whole number")
        lineage = data.get("lineage")
        if not isinstance(lineage, str) or not lineage:
            raise ValueError("'lineage' must be a non-empty string")
        key_id = data.get("key_id")
        return cls(
            lineage=lineage,
            serial=serial,
            key_id=key_id if isinstance(key_id, str) else None,
            resources={str(k): Record.from_json(v) for k, v in resources.items()},
        )


class Folded(Mapping[str, Record]):
    """Records with a few more folded in, sharing the records they were folded into.

    Folding into a plain dict would copy every record for every success, O(n²) over an apply;
    here a fold copies only the recent additions, and every √n folds they are merged into a
    new base: O(√n) a fold. Nothing is ever changed in place.
    """

    __slots__ = ("_added", "_base", "_len")

    def __init__(self, base: Mapping[str, Record], added: dict[str, Record], size: int) -> None:
        self._base = base
        self._added = added
        self._len = size

    @classmethod
    def of(cls, records: Mapping[str, Record], key: str, record: Record) -> Folded:
        """``records`` with ``record`` under ``key``."""
        size = len(records) + (key not in records)
        if not isinstance(records, Folded):
            return cls(records, {key: record}, size)
        if len(records._added) < max(32, math.isqrt(len(records._base))):
            return cls(records._base, {**records._added, key: record}, size)
        return cls({**records._base, **records._added}, {key: record}, size)

    def __getitem__(self, key: str) -> Record:
        found = self._added.get(key)
        return found if found is not None else self._base[key]

    def __contains__(self, key: object) -> bool:
        return key in self._added or key in self._base

    def __iter__(self) -> Iterator[str]:
        added = self._added
        yield from (key for key in self._base if key not in added)
        yield from added

    def __len__(self) -> int:
        return self._len

    def __repr__(self) -> str:
        return f"Folded({len(self)} records)"
