"""The known-state file as a backend (``file:``, the default): the file with its journal, and
its OS-level lock (``lock.StateLock``).

A ``file:`` location is ``file:PATH`` (relative to the working folder) or ``file://`` and an
absolute path (``file:///srv/state.json``): the path as written, nothing percent-decoded.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from reconciler.errors import SettingsError, StateFileError
from reconciler.storage.backend import Kind, Place
from reconciler.storage.lock import Owner, StateLock
from reconciler.storage.state_file import StateStore

SCHEME = "file"
MOVED = ".moved"
"""The suffix of a known-state file a move renamed aside."""


class FileBackend:
    """The known-state file at ``path``, its journal and its lock (a ``Backend``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = StateLock(path)

    @property
    def where(self) -> str:
        return str(self.path)

    @property
    def lock_where(self) -> str:
        return str(self._lock.lock_path)

    @property
    def backup(self) -> str | None:
        return str(self.store().backup_path)

    def store(self) -> StateStore:
        return StateStore(self.path)

    def files(self) -> dict[Path, str]:
        store = self.store()
        return {
            self.path: "the known state",
            store.journal_path: "the known state's journal",
            store.backup_path: "the known state's backup",
            self._lock.lock_path: "the known state's lock",
            self._lock.info_path: "the known state's lock owner",
        }

    @contextlib.contextmanager
    def locked(self, command: str, timeout: float) -> Iterator[Owner | None]:
        """Hold the file lock; a journal left by an interrupted apply is folded in first."""
        with self._lock.held(command, timeout) as left:
            store = self.store()
            store.settle(store.load())
            yield left

    def claimed(self, command: str) -> contextlib.AbstractContextManager[bool]:
        """Refused: runners on other machines do not share a file's lock."""
        raise SettingsError(f"{self.path}: a known-state file's lock is not shared by runners")

    def force_unlock(self) -> str:
        return self._lock.force_unlock()

    def retire(self) -> str:
        """Rename the file aside (``<name>.moved``)."""
        aside = self._aside()
        try:
            self.path.replace(aside)
        except OSError as error:
            raise StateFileError(f"{self.path}: cannot rename it aside: {error.strerror}") from None
        return f"the file was renamed {aside}"

    def retired(self) -> str | None:
        aside = self._aside()
        return str(aside) if os.path.lexists(aside) else None

    def _aside(self) -> Path:
        return self.path.with_name(self.path.name + MOVED)


def file_path(location: str) -> Path:
    """The path a ``file:`` location names; ``SettingsError`` when it names none or a host."""
    rest = location.removeprefix(f"{SCHEME}:")
    if rest.startswith("//"):
        rest = rest[2:]
        if not rest.startswith("/"):
            raise SettingsError(
                f"{location!r}: a file: URL names no host: write file:PATH or file:///PATH"
            )
    if not rest or "\x00" in rest:
        raise SettingsError(f"{location!r}: give the known-state file's path: file:PATH")
    return Path(rest)


def open_file(location: str | None, place: Place) -> FileBackend:
    """The file ``location`` names, or the account's default one."""
    return FileBackend(place.file if location is None else file_path(location))


def _check(location: str) -> None:
    file_path(location)


KIND = Kind(schemes=(SCHEME,), shown="a file: path", open=open_file, check=_check)
