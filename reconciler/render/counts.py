"""Counts as English writes them: ``1 call``, ``2 calls``, ``0 calls``."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None, *, grouped: bool = False) -> str:
    """``count`` and ``noun``, in the plural (``plural``, else ``noun`` + ``s``) unless it is 1;
    ``grouped`` writes thousands with commas (``1,000``)."""
    number = f"{count:,}" if grouped else str(count)
    return f"{number} {noun if count == 1 else plural or noun + 's'}"
