"""What is written to be read back is fsynced before the write returns: an appended journal line
(and the folder of a journal it creates), a staged file before it is renamed, and the folder after
the rename.

The fsyncs are observed where the package hands them to the system: ``os.fsync`` (and
``os.fdatasync``) are wrapped for the test by a function that notes what the descriptor holds
at that moment, then makes the real call. Nothing is faked: the files are written and synced
as in production; the wrapper only watches. (A system-call tracer such as strace would watch
from outside the process, but is a system package the test machines need not have.)
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from reconciler.core.known import KnownState, Record
from reconciler.storage.files import append_durably, stage_atomically, write_atomically
from reconciler.storage.state_file import StateStore


@dataclass(frozen=True)
class Synced:
    """One fsync as the system got it: what the descriptor was, and what it held."""

    path: Path
    folder: bool
    content: bytes | None  # a file's bytes at the moment of the fsync
    entries: frozenset[str]  # a folder's names at the moment of the fsync


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Synced]]:
    """The fsyncs the test's thread makes while it runs, in order; each is made for real."""
    seen: list[Synced] = []
    test_thread = threading.get_ident()  # not a thread some other test left running

    def watching(real: Callable[[int], None]) -> Callable[[int], None]:
        def call(fd: int) -> None:
            if threading.get_ident() != test_thread:
                real(fd)
                return
            path = Path(os.readlink(f"/proc/self/fd/{fd}"))
            if stat.S_ISDIR(os.fstat(fd).st_mode):
                seen.append(Synced(path, True, None, frozenset(os.listdir(path))))
            else:
                content = Path(f"/proc/self/fd/{fd}").read_bytes()  # the same file, reopened
                seen.append(Synced(path, False, content, frozenset()))
            real(fd)

        return call

    monkeypatch.setattr(os, "fsync", watching(os.fsync))
    monkeypatch.setattr(os, "fdatasync", watching(os.fdatasync))
    yield seen


def test_an_append_is_fsynced_with_all_its_bytes_before_it_returns(
    tmp_path: Path, synced: list[Synced]
) -> None:
    journal = tmp_path / "state.json.journal"
    journal.write_bytes(b"first\n")
    append_durably(journal, "second\n")
    assert synced == [Synced(journal, False, b"first\nsecond\n", frozenset())]


def test_an_append_that_creates_the_file_fsyncs_its_folder_too(
    tmp_path: Path, synced: list[Synced]
) -> None:
    journal = tmp_path / "new" / "state.json.journal"
    append_durably(journal, "line\n")
    assert synced == [
        Synced(journal, False, b"line\n", frozenset()),
        Synced(journal.parent, True, None, frozenset({journal.name})),
    ]


def test_a_staged_file_is_fsynced_whole_before_it_is_renamed(
    tmp_path: Path, synced: list[Synced]
) -> None:
    target = tmp_path / "state.json"
    staged = stage_atomically(target, "new text")
    assert synced == [Synced(staged.temp, False, b"new text", frozenset())]
    assert not target.exists()
    staged.discard()


def test_an_atomic_write_fsyncs_the_file_then_the_folder_after_the_rename(
    tmp_path: Path, synced: list[Synced]
) -> None:
    target = tmp_path / "state.json"
    target.write_text("old text")
    write_atomically(target, "new text")
    [file, folder] = synced
    assert (file.folder, file.content) == (False, b"new text")
    assert file.path.parent == tmp_path and file.path != target  # the temporary beside it
    assert folder == Synced(tmp_path, True, None, frozenset({target.name}))


def test_the_state_store_journals_and_saves_through_fsync(
    tmp_path: Path, synced: list[Synced]
) -> None:
    store = StateStore(tmp_path / "state.state.json")
    state = KnownState.new().applied("client:1", Record({"name": "A"}, "2026-01-01T00:00:00Z"))
    store.append(state, "client:1")
    journaled = [s for s in synced if s.path == store.journal_path]
    assert len(journaled) == 1 and journaled[0].content == store.journal_path.read_bytes()
    synced.clear()
    store.save(state)
    files = [s for s in synced if not s.folder and s.content == store.path.read_bytes()]
    assert files, synced  # the new state file was fsynced with exactly what is on disk
    assert any(s.folder and s.path == tmp_path and store.path.name in s.entries for s in synced)


def test_an_append_to_a_journal_that_exists_syncs_its_data_with_fdatasync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``fdatasync`` (data and size, all that reading the lines back needs) where the system
    has it; the folder of a journal that exists is not synced again."""
    journal = tmp_path / "state.json.journal"
    journal.write_bytes(b"first\n")
    calls: list[str] = []
    for name in ("fsync", "fdatasync"):
        real = getattr(os, name)
        monkeypatch.setattr(
            os, name, lambda fd, name=name, real=real: (calls.append(name), real(fd))
        )
    append_durably(journal, "second\n")
    assert calls == ["fdatasync"]
    assert journal.read_bytes() == b"first\nsecond\n"
