"""The journal: one line per recorded success, appended and fsynced before it is reported.

Successes that complete together are appended in one write covered by one fsync (group
commit), in the order of their serials.

Each line is a JSON object sealed with its own checksum and ended by ``\n``. Reading refuses a
damaged line anywhere, the last one included: a line that ends with ``\n`` was written whole,
so a flaw in it is damage. Only an unterminated last line that reads as the start of an entry
is a torn write (the one in flight when a process died); it alone is dropped, with a warning.
"""

from __future__ import annotations

import codecs
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reconciler.core.known import KnownState, Record
from reconciler.errors import StateFileError
from reconciler.fileio import UnreadableFile, parse_json, read_regular
from reconciler.storage.envelope import sealed, unsealed
from reconciler.storage.files import MAX_READ_BYTES, append_durably, writing

logger = logging.getLogger(__name__)
# How every line starts: ``json.dumps`` of an entry, whose first key is the lineage.
_LINE_START = b'{"lineage": "'


class Journal:
    """The journal beside one known-state file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        return self.path.exists()

    def append(self, state: KnownState, key: str) -> None:
        """Journal the success that produced ``state`` (its record under ``key``); fsynced."""
        self.append_all([(state, key)])

    def append_all(self, successes: Sequence[tuple[KnownState, str]]) -> None:
        """Journal each success (the state it produced, its key), in order, with one fsync;
        on failure none of them is left in the file."""
        append_durably(self.path, "".join(_line(state, key) for state, key in successes))

    def remove(self) -> None:
        with writing(self.path):
            self.path.unlink(missing_ok=True)

    def entries(self) -> list[dict[str, Any]]:
        """Every entry, in order; ``record`` parsed into a ``Record``."""
        try:
            data = read_regular(self.path, MAX_READ_BYTES)
        except FileNotFoundError:
            return []
        except UnreadableFile as exc:
            raise StateFileError(f"{self.path}: cannot read the journal: {exc}") from None
        *complete, tail = data.split(b"\n")
        entries: list[dict[str, Any]] = []
        for number, raw in enumerate(complete, start=1):
            if not raw.strip():
                continue
            entry = _parse_line(raw)
            if entry is None:
                raise self._damaged(number)
            entries.append(entry)
        if tail.strip():
            entry = _parse_line(tail)  # whole, but for its newline
            if entry is not None:
                entries.append(entry)
            elif _is_torn(tail) and not _is_whole_document(tail):
                logger.warning(
                    "%s:%d: the last line is incomplete, a write cut short when a process died; "
                    "dropped (the call it recorded will be made again)",
                    self.path,
                    len(complete) + 1,
                )
            else:
                raise self._damaged(len(complete) + 1)
        return entries

    def _damaged(self, number: int) -> StateFileError:
        return StateFileError(
            f"{self.path}:{number}: damaged journal entry; move the journal "
            "aside to discard the successes it records"
        )


def _line(state: KnownState, key: str) -> str:
    entry = {
        "lineage": state.lineage,
        "serial": state.serial,
        "key_id": state.key_id,
        "key": key,
        "record": state.resources[key].to_json(),
    }
    return json.dumps(sealed(entry), ensure_ascii=False) + "\n"


def _is_torn(raw: bytes) -> bool:
    """Whether ``raw`` can be the start of a line this journal wrote: the fixed start, then
    UTF-8 (perhaps cut inside its last character) without control characters."""
    if not (raw.startswith(_LINE_START) or _LINE_START.startswith(raw)):
        return False
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(raw, final=False)
    except UnicodeDecodeError:
        return False
    return not any(ord(character) < 0x20 for character in text)


def _is_whole_document(raw: bytes) -> bool:
    """Whether ``raw`` is already a whole JSON document: a write cut short never is, so such a
    line that is no entry is damage, not a torn write."""
    try:
        parse_json(raw)
    except ValueError:
        return False
    return True


def _parse_line(raw: bytes) -> dict[str, Any] | None:
    try:
        document = parse_json(raw)
    except ValueError:
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
