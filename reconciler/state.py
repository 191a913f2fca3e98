"""The known state: what was last applied, per resource, and the file that keeps it.

The file is JSON with a format version, a lineage id (which history this is), a serial (bumped
by every recorded success) and a checksum. Successes are appended to a journal beside it,
fsynced one line at a time, so an apply killed at any moment loses at most the call that was
in flight; the next load replays the journal and the next save folds it into the main file
(atomically: temp file, fsync, rename; the previous version kept as ``.backup``; mode 0600).
"""

from __future__ import annotations

import glob
import hashlib
import json
import math
import os
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.errors import StateFileError

FORMAT_VERSION = 1
FILE_MODE = 0o600


def now() -> str:
    """The current time as recorded in the known state (UTC, ISO 8601, seconds)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Record:
    """What was last applied to one resource, and the API's answers that matter."""

    applied: Mapping[str, Any]
    applied_at: str
    answer: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"applied": dict(self.applied), "applied_at": self.applied_at}
        if self.answer is not None:
            data["answer"] = dict(self.answer)
        return data

    @classmethod
    def from_json(cls, data: Any) -> Record:
        if not isinstance(data, dict) or not isinstance(data.get("applied"), dict):
            raise ValueError("a record needs an 'applied' mapping")
        answer = data.get("answer")
        if answer is not None and not isinstance(answer, dict):
            raise ValueError("a record's 'answer' must be a mapping")
        return cls(
            applied=data["applied"], applied_at=str(data.get("applied_at", "")), answer=answer
        )


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


def checksum(document: Mapping[str, Any]) -> str:
    """The sha256 of a document's canonical JSON, as stored beside it in state and plan files."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that readers see the old or the new file, never a mix:
    a temporary file in the same folder, fsynced, renamed over it, the folder fsynced; mode 0600.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class StateStore:
    """Loads and saves one known-state file and its journal."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.journal_path = path.with_name(path.name + ".journal")
        self.backup_path = path.with_name(path.name + ".backup")

    def exists(self) -> bool:
        """Whether anything was ever recorded here."""
        return self.path.exists() or self.journal_path.exists()

    def load(self) -> KnownState:
        """The known state: the main file (verified) with the journal replayed onto it."""
        state = self._load_main()
        journal = self._read_journal()
        if state is None:
            if not journal:
                return KnownState.new()
            state = KnownState(lineage=journal[0]["lineage"])
        for entry in journal:
            if entry["lineage"] != state.lineage:
                raise StateFileError(
                    f"{self.journal_path}: journal belongs to another lineage "
                    f"({entry['lineage']}, the state file has {state.lineage}); "
                    "move one of them aside"
                )
            if entry["serial"] <= state.serial:
                continue  # already folded into the main file before a crash removed the journal
            record = entry["record"]
            state = replace(
                state.applied(entry["key"], record, entry.get("key_id")), serial=entry["serial"]
            )
        return state

    def append(self, state: KnownState, key: str) -> None:
        """Journal the success that produced ``state`` (its record under ``key``); fsynced."""
        entry = {
            "lineage": state.lineage,
            "serial": state.serial,
            "key_id": state.key_id,
            "key": key,
            "record": state.resources[key].to_json(),
        }
        line = json.dumps({**entry, "checksum": checksum(entry)}, ensure_ascii=False)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.journal_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def save(self, state: KnownState) -> None:
        """Write the whole state atomically, keep the previous file as backup, drop the journal.

        The file on disk is checked first: one that was damaged, or replaced by another history
        or a later version of this one, since it was loaded is refused, never overwritten.
        """
        on_disk = self._load_main()
        if on_disk is not None and on_disk.lineage != state.lineage:
            raise StateFileError(
                f"{self.path}: the file now holds another history (lineage {on_disk.lineage}, "
                f"not {state.lineage}); it was not overwritten. The successes of this run are "
                f"in {self.journal_path}."
            )
        if on_disk is not None and on_disk.serial > state.serial:
            raise StateFileError(
                f"{self.path}: the file was written by another run since it was loaded (serial "
                f"{on_disk.serial}, this run has {state.serial}); it was not overwritten"
            )
        document = state.to_json()
        text = json.dumps(
            {**document, "checksum": checksum(document)}, indent=2, ensure_ascii=False
        )
        if self.path.exists():
            write_atomically(self.backup_path, self.path.read_text("utf-8"))
        write_atomically(self.path, text + "\n")
        self.journal_path.unlink(missing_ok=True)
        self._remove_stale_temporaries()

    def settle(self, state: KnownState) -> None:
        """Fold a journal left by an interrupted apply into the main file before appending to it,
        so that a torn last line (the write in flight when it died) never ends up mid-journal."""
        if self.journal_path.exists():
            self.save(state)

    def _remove_stale_temporaries(self) -> None:
        # Left by a process killed mid-write; the caller holds the lock, so none is in use.
        for name in (self.path.name, self.backup_path.name):
            for temp in self.path.parent.glob(f".{glob.escape(name)}.*.tmp"):
                temp.unlink(missing_ok=True)

    def _load_main(self) -> KnownState | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StateFileError(
                f"{self.path}: cannot read the known state: {exc.strerror}"
            ) from None
        try:
            document = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StateFileError(
                f"{self.path}: the known-state file is not valid JSON ({exc}); it may be "
                f"truncated. The previous version is at {self.backup_path} if it exists."
            ) from None
        if not isinstance(document, dict):
            raise StateFileError(f"{self.path}: the known-state file is not a JSON object")
        version = document.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise StateFileError(f"{self.path}: no format_version: this is not a known-state file")
        if version > FORMAT_VERSION:
            raise StateFileError(
                f"{self.path}: format version {version} was written by a newer reconciler "
                f"(this one reads up to {FORMAT_VERSION}); upgrade reconciler"
            )
        stated = document.pop("checksum", None)
        if stated != checksum(document):
            raise StateFileError(
                f"{self.path}: checksum mismatch: the file was changed by hand or damaged. It was "
                f"not overwritten; restore it (e.g. from {self.backup_path}) or move it aside."
            )
        try:
            return KnownState.from_json(document)
        except ValueError as exc:
            raise StateFileError(f"{self.path}: {exc}") from None

    def _read_journal(self) -> list[dict[str, Any]]:
        try:
            lines = self.journal_path.read_bytes().split(b"\n")
        except FileNotFoundError:
            return []
        entries: list[dict[str, Any]] = []
        last = len(lines) - 1
        for number, raw in enumerate(lines):
            if not raw.strip():
                continue
            entry = self._parse_journal_line(raw)
            if entry is None:
                if number >= last - 1 and all(not rest.strip() for rest in lines[number + 1 :]):
                    break  # a torn final line: the write in flight when the process died
                raise StateFileError(
                    f"{self.journal_path}:{number + 1}: damaged journal entry; move the journal "
                    "aside to discard the successes it records"
                )
            entries.append(entry)
        return entries

    @staticmethod
    def _parse_journal_line(raw: bytes) -> dict[str, Any] | None:
        try:
            entry = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None
        if not isinstance(entry, dict):
            return None
        stated = entry.pop("checksum", None)
        if stated != checksum(entry):
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
