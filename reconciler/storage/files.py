"""The one way the package writes files: atomically, or appended durably.

Atomic: a temporary file in the same folder, fsynced, renamed over the target, the folder
fsynced, so a reader sees the old or the new file, never a mix. Durable append: written and
fsynced before returning, and the folder fsynced when the append created the file. Files are
created with mode 0600 and folders with 0700: they hold the history of an account.

An ``OSError`` while writing (disk full, file too large, no permission, read-only filesystem)
becomes ``StateWriteError`` naming the file, here and nowhere else; a failed append leaves the
file as it was.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from reconciler.errors import StateWriteError

MAX_READ_BYTES = 1 << 30
"""The largest file the store reads back (known state, journal, saved plan): far above any real
account's, and below what parsing it would cost in memory."""
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
        with writing(self.path):
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
    temp = temporary_path(path, tag)
    with writing(path):
        make_folder(path.parent)
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
    """Append ``text`` to ``path`` (created 0600 if absent) and make it durable before
    returning; a file it creates has its folder fsynced too, so that the new name is as durable
    as its lines. An append to a file that exists costs four system calls (open, write,
    ``fdatasync``, close): ``fdatasync`` writes the data and the file's new size, all that
    reading the lines back needs.

    When the write fails part way, what it wrote is cut off again (as far as the system lets),
    so the file does not end in half a line.
    """
    data = text.encode("utf-8")
    with writing(path):
        try:
            fd, created = os.open(path, os.O_WRONLY | os.O_APPEND), False
        except (FileNotFoundError, NotADirectoryError):
            make_folder(path.parent)
            fd, created = _open_to_append(path)
        try:
            written = 0
            try:
                while written < len(data):
                    written += os.write(fd, data[written:])
                _sync_data(fd)
            except OSError:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, os.fstat(fd).st_size - written)
                raise
        finally:
            os.close(fd)
        if created:
            fsync_directory(path.parent)


def _sync_data(fd: int) -> None:
    """``fdatasync`` where the system has it (Linux), else ``fsync`` (macOS)."""
    sync = getattr(os, "fdatasync", None) or os.fsync
    sync(fd)


def _open_to_append(path: Path) -> tuple[int, bool]:
    """A descriptor appending to ``path``, and whether this call created the file."""
    flags = os.O_WRONLY | os.O_APPEND
    with contextlib.suppress(FileNotFoundError):
        return os.open(path, flags), False
    try:
        return os.open(path, flags | os.O_CREAT | os.O_EXCL, FILE_MODE), True
    except FileExistsError:  # created by another writer in between
        return os.open(path, flags), False


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an ``OSError`` raised while writing ``path`` into ``StateWriteError``."""
    try:
        yield
    except OSError as exc:
        raise StateWriteError(str(path), exc.strerror or str(exc)) from None


def make_folder(folder: Path) -> None:
    """Create ``folder`` and the parents it lacks, each 0700; a file in the way is named, not
    mistaken."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        for each in reversed(missing):
            each.mkdir(mode=FOLDER_MODE, exist_ok=True)
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next(
            (p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), folder
        )
        raise StateWriteError(str(blocker), "it is a file, not a folder") from None


def fsync_directory(directory: Path) -> None:
    """Make a rename or a new file in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
