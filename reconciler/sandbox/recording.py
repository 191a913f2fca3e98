"""The request log: what reached the sandbox and how it was answered."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

# ``status`` of a request whose connection was dropped: no HTTP status was ever sent.
DROPPED = 0


@dataclass(frozen=True)
class RecordedRequest:
    """One request: ``query`` never holds ``api_key``; ``body`` is the parsed JSON or ``None``."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int


class RequestLog:
    """An append-only list of requests, safe to read from any thread."""

    def __init__(self) -> None:
        self._entries: list[RecordedRequest] = []
        self._lock = threading.Lock()

    def add(self, entry: RecordedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[RecordedRequest]:
        """A copy of the log, oldest first."""
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
