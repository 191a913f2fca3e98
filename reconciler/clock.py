"""The current time as files and the known state record it; ``core`` reads no clock, so its
callers pass this time in."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> str:
    """The current time as recorded (UTC, ISO 8601, seconds)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()
