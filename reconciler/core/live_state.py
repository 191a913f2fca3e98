"""What was read from the live account, as plain data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class LiveState:
    """What was read, by the slot each kind names (``core.kinds.base.Reading.slot``): the
    account (``None`` if not found), clients by id (``None`` if not found), every sequence
    (``None`` if the sequences were not read), and what other kinds read (``others``)."""

    account: Mapping[str, Any] | None = None
    clients: Mapping[int, Mapping[str, Any] | None] = field(default_factory=dict)
    sequences: tuple[Mapping[str, Any], ...] | None = None
    others: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of_reads(cls, reads: Mapping[str, Any]) -> LiveState:
        """A live state from what each slot read."""
        named = {f.name for f in fields(cls)} - {"others"}
        return cls(
            **{k: v for k, v in reads.items() if k in named},
            others={k: v for k, v in reads.items() if k not in named},
        )

    def of(self, slot: str) -> Any:
        """What was read in ``slot`` (None when nothing was)."""
        if slot in self.others:
            return self.others[slot]
        return getattr(self, slot, None) if slot != "others" else None
