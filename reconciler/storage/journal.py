"""The journal: one line per recorded success, appended and fsynced as it happens.

Each line is a JSON object sealed with its own checksum. Reading refuses a damaged line
anywhere; only a torn last line (the write in flight when a process died) is dropped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reconciler.core.known import KnownState, Record
from reconciler.errors import StateFileError
from reconciler.storage.envelope import sealed, unsealed
from reconciler.storage.files import append_durably


class Journal:
    """The journal beside one known-state file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        return self.path.exists()

    def append(self, state: KnownState, key: str) -> None:
        """Journal the success that produced ``state`` (its record under ``key``); fsynced."""
        entry = {
            "lineage": state.lineage,
            "serial": state.serial,
            "key_id": state.key_id,
            "key": key,
            "record": state.resources[key].to_json(),
        }
        append_durably(self.path, json.dumps(sealed(entry), ensure_ascii=False) + "\n")

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def entries(self) -> list[dict[str, Any]]:
        """Every entry, in order; ``record`` parsed into a ``Record``."""
        try:
            lines = self.path.read_bytes().split(b"\n")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StateFileError(f"{self.path}: cannot read the journal: {exc.strerror}") from None
        entries: list[dict[str, Any]] = []
        last = len(lines) - 1
        for number, raw in enumerate(lines):
            if not raw.strip():
                continue
            entry = _parse_line(raw)
            if entry is None:
                if number >= last - 1 and all(not rest.strip() for rest in lines[number + 1 :]):
                    break  # a torn final line: the write in flight when the process died
                raise StateFileError(
                    f"{self.path}:{number + 1}: damaged journal entry; move the journal "
                    "aside to discard the successes it records"
                )
            entries.append(entry)
        return entries


def _parse_line(raw: bytes) -> dict[str, Any] | None:
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(document, dict):
        return None
    entry = unsealed(document)
    if entry is None:
        return None
    serial, key_id = entry.get("serial"), entry.get("key_id")
    if not isinstance(serial, int) or isinstance(serial, bool) or serial < 1:
        return None
    if not isinstance(entry.get("key"), str) or not isinstance(entry.get("lineage"), str):
        return None
    if key_id is not None and not isinstance(key_id, str):
        return None
    try:
        entry["record"] = Record.from_json(entry.get("record"))
    except ValueError:
        return None
    return entry
