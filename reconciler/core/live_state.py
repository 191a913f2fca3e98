"""What was read from the live account, as plain data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class LiveState:
    """What was read: the account (``None`` if not found), clients by id (``None`` if not
    found), and every sequence (``None`` if the sequences were not read)."""

    account: Mapping[str, Any] | None = None
    clients: Mapping[int, Mapping[str, Any] | None] = field(default_factory=dict)
    sequences: tuple[Mapping[str, Any], ...] | None = None
