"""The known state in a file: JSON in the checksummed envelope, with a journal beside it.

Successes are appended to the journal a line each, every group fsynced before any of it is
reported, so an apply killed at any moment loses at most the calls that were in flight; the
next load replays the journal and the next save folds it into the main file (atomically; the
previous version kept as ``.backup``; mode 0600).
"""

from __future__ import annotations

import contextlib
import glob
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson

from reconciler.core.known import FORMAT_VERSION, KnownState
from reconciler.errors import StateFileError
from reconciler.fileio import UnreadableFile, check_regular, parse_json, read_regular
from reconciler.storage.envelope import format_version, sealed_text, unsealed
from reconciler.storage.files import MAX_READ_BYTES, write_atomically
from reconciler.storage.journal import Journal


class StateStore:
    """Loads and saves one known-state file and its journal (a ``StateBackend``)."""

    lock_held_by_process = True
    """The file lock is the kernel's, held until this process ends: an apply proves nothing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.journal = Journal(path.with_name(path.name + ".journal"))
        self.backup_path = path.with_name(path.name + ".backup")

    @property
    def journal_path(self) -> Path:
        return self.journal.path

    @property
    def successes_kept(self) -> str:
        return str(self.journal.path)

    def exists(self) -> bool:
        """Whether anything was ever recorded here."""
        return self.path.exists() or self.journal.exists()

    def load(self) -> KnownState:
        """The known state: the main file (verified) with the journal replayed onto it.

        Before anything is read, each of the files kept here must be a regular file (or absent),
        so that a directory or a FIFO in the way is named now, not when an apply saves.
        """
        for path in (self.path, self.journal_path, self.backup_path):
            try:
                check_regular(path)
            except UnreadableFile as exc:
                raise StateFileError(f"{path}: {exc}") from None
        state = self._load_main()
        journal = self.journal.entries()
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
        self.journal.append(state, key)

    def append_all(self, successes: Sequence[tuple[KnownState, str]]) -> None:
        """Journal several successes, in order, with one fsync."""
        self.journal.append_all(successes)

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
        text = sealed_text(state.to_json())
        if self.path.exists():
            write_atomically(self.backup_path, self._previous_text())
        write_atomically(self.path, text + "\n")
        self.journal.remove()
        self._remove_stale_temporaries()

    def _previous_text(self) -> str:
        try:
            return self.path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise StateFileError(f"{self.path}: cannot read the known state: {exc}") from None

    def settle(self, state: KnownState) -> None:
        """Fold a journal left by an interrupted apply into the main file before appending to it,
        so that a torn last line (the write in flight when it died) never ends up mid-journal."""
        if self.journal.exists():
            self.save(state)

    def close(self) -> None:
        """Nothing held open between uses."""

    def prove_lock(self) -> None:
        """Nothing to prove: the kernel holds a file lock for as long as this process lives."""

    def _remove_stale_temporaries(self) -> None:
        # Left by a process killed mid-write; the caller holds the lock, so none is in use.
        for name in (self.path.name, self.backup_path.name):
            for temp in self.path.parent.glob(f".{glob.escape(name)}.*.tmp"):
                with contextlib.suppress(OSError):  # only tidying: the state is saved
                    temp.unlink(missing_ok=True)

    def _load_main(self) -> KnownState | None:
        try:
            raw = read_regular(self.path, MAX_READ_BYTES)
        except FileNotFoundError:
            return None
        except UnreadableFile as exc:
            raise StateFileError(f"{self.path}: cannot read the known state: {exc}") from None
        document, strict = _parsed(raw)
        if document is None:
            try:
                document = parse_json(raw)
            except ValueError as exc:
                raise StateFileError(
                    f"{self.path}: the known-state file is not valid JSON ({exc}); it may be "
                    f"truncated. The previous version is at {self.backup_path} if it exists."
                ) from None
        if not isinstance(document, dict):
            raise StateFileError(f"{self.path}: the known-state file is not a JSON object")
        version = format_version(document)
        if version is None:
            raise StateFileError(f"{self.path}: no format_version: this is not a known-state file")
        if version > FORMAT_VERSION:
            raise StateFileError(
                f"{self.path}: format version {version} was written by a newer reconciler "
                f"(this one reads up to {FORMAT_VERSION}); upgrade reconciler"
            )
        content = unsealed(document, parsed_by_orjson=strict)
        if content is None and strict:
            # Some orjson releases read an integer past 64 bits as a float instead of refusing
            # it: ``json`` reads the file as it was written.
            reread = parse_json(raw)
            content = unsealed(reread) if isinstance(reread, dict) else None
        if content is None:
            raise StateFileError(
                f"{self.path}: checksum mismatch: the file was changed by hand or damaged. It was "
                f"not overwritten; restore it (e.g. from {self.backup_path}) or move it aside."
            )
        try:
            return KnownState.from_json(content)
        except ValueError as exc:
            raise StateFileError(f"{self.path}: {exc}") from None


def _parsed(raw: bytes) -> tuple[Any, bool]:
    """``raw`` read by orjson (fast, and strict: no NaN, no lone surrogates; integers past 64
    bits refused or, by some releases, read as floats), and True; or None and False when orjson
    refuses it (``json`` reads it then)."""
    try:
        return orjson.loads(raw), True
    except orjson.JSONDecodeError:
        return None, False
