"""The one way the package writes files: atomically, or appended durably.

Atomic: a temporary file in the same folder, fsynced, renamed over the target, the folder
fsynced, so a reader sees the old or the new file, never a mix. Durable append: written and
fsynced before returning. Files are created with mode 0600 and folders with 0700: they hold
the history of an account.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def temporary_path(path: Path, tag: str = "tmp") -> Path:
    """The temporary file that ``write_atomically`` uses beside ``path`` in this process."""
    return path.with_name(f".{path.name}.{os.getpid()}.{tag}")


def write_atomically(path: Path, text: str, *, mode: int = FILE_MODE) -> None:
    """Replace ``path`` with ``text`` so that readers see the old or the new file, never a mix."""
    stage_atomically(path, text, mode=mode).commit()


class Staged:
    """A file written and fsynced beside its target, not yet renamed over it.

    ``commit`` puts it in place; ``discard`` removes it. Lets a caller check the new text
    (import validates the file it is about to write) before it replaces the old one.
    """

    def __init__(self, path: Path, temp: Path) -> None:
        self.path = path
        self.temp = temp

    def commit(self) -> None:
        try:
            os.replace(self.temp, self.path)
        except BaseException:
            self.discard()
            raise
        fsync_directory(self.path.parent)

    def discard(self) -> None:
        self.temp.unlink(missing_ok=True)


def stage_atomically(path: Path, text: str, *, mode: int = FILE_MODE, tag: str = "tmp") -> Staged:
    """Write ``text`` to a fsynced temporary file beside ``path``; see ``Staged``."""
    path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    temp = temporary_path(path, tag)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return Staged(path, temp)


def append_durably(path: Path, text: str) -> None:
    """Append ``text`` to ``path`` (created 0600 if absent) and fsync it before returning."""
    path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    try:
        data = text.encode("utf-8")
        while data:
            written = os.write(fd, data)
            data = data[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_directory(directory: Path) -> None:
    """Make a rename or a new file in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
