"""Writing files: atomically or appended durably, private modes, and every ``OSError`` turned
into ``StateWriteError`` naming the file, with nothing half-written left behind.

A write that runs out of room is played by ``RLIMIT_FSIZE`` in a forked child (so the limit
binds no other test): the system then refuses the write for real, with ``EFBIG``.
"""

from __future__ import annotations

import locale
import os
import resource
import signal
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.errors import StateWriteError
from reconciler.storage.files import (
    append_durably,
    make_folder,
    stage_atomically,
    temporary_path,
    write_atomically,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _in_a_child_limited_to(size: int, work: Callable[[], None]) -> str:
    """Run ``work`` in a forked child whose files may grow to ``size`` bytes; what it raised."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(read)
        outcome = "nothing raised"
        try:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the limit: EFBIG, no signal
            resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
            work()
        except BaseException as exc:  # reported to the parent as it is
            outcome = f"{type(exc).__name__}: {exc}"
        os.write(write, outcome.encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        outcome = pipe.read().decode()
    os.waitpid(pid, 0)
    return outcome


def test_the_temporary_file_is_hidden_beside_the_target_and_names_the_process(
    tmp_path: Path,
) -> None:
    target = tmp_path / "state.json"
    assert temporary_path(target) == tmp_path / f".state.json.{os.getpid()}.tmp"
    assert temporary_path(target, "import") == tmp_path / f".state.json.{os.getpid()}.import"
    staged = stage_atomically(target, "x", tag="import")
    assert staged.temp == temporary_path(target, "import") and staged.temp.read_text() == "x"
    staged.discard()
    assert not staged.temp.exists()
    staged.discard()  # discarding again is harmless
    assert stage_atomically(target, "y").temp == temporary_path(target)


def test_an_atomic_write_makes_private_folders_and_files(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "state.json"
    write_atomically(target, "Ação\n")
    assert target.read_bytes() == "Ação\n".encode()
    assert _mode(target) == 0o600
    assert _mode(target.parent) == 0o700  # the folder that holds it
    write_atomically(target, "new", mode=0o640)
    assert target.read_text() == "new" and _mode(target) == 0o640
    assert sorted(p.name for p in target.parent.iterdir()) == ["state.json"]


def test_the_folders_an_atomic_write_makes_are_all_private(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    target = tmp_path / "new" / "deeper" / "state.json"
    write_atomically(target, "first")
    assert _mode(tmp_path / "new") == 0o700 and _mode(tmp_path / "new" / "deeper") == 0o700
    assert _mode(tmp_path) == 0o755  # a folder that was there is left as it was


def test_an_append_creates_a_private_file_then_adds_to_it(tmp_path: Path) -> None:
    journal = tmp_path / "new" / "state.json.journal"
    append_durably(journal, "one\n")
    append_durably(journal, "twö\n")
    assert journal.read_bytes() == "one\ntwö\n".encode()
    assert _mode(journal) == 0o600 and _mode(journal.parent) == 0o700


def test_a_staged_file_that_cannot_be_put_in_place_is_removed(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.mkdir()  # a rename over a folder fails
    staged = stage_atomically(target, "text")
    with pytest.raises(StateWriteError) as raised:
        staged.commit()
    assert str(raised.value) == f"{target}: cannot write: Is a directory"
    assert raised.value.path == str(target)
    assert not staged.temp.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_text_that_cannot_be_written_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    with pytest.raises(UnicodeEncodeError):
        stage_atomically(target, "\ud800")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("depth", [0, 2])
def test_a_file_where_a_folder_should_be_is_named(tmp_path: Path, depth: int) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    folder = blocker.joinpath(*["sub"] * depth)
    with pytest.raises(StateWriteError) as raised:
        make_folder(folder)
    assert str(raised.value) == f"{blocker}: cannot write: it is a file, not a folder"
    with pytest.raises(StateWriteError) as raised:
        write_atomically(folder / "state.json", "x")
    assert str(raised.value) == f"{blocker}: cannot write: it is a file, not a folder"
    with pytest.raises(StateWriteError):
        append_durably(folder / "state.json.journal", "x")


@pytest.mark.parametrize("depth", [0, 2])
def test_an_append_under_a_file_names_the_file_in_the_way(tmp_path: Path, depth: int) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    journal = blocker.joinpath(*["sub"] * depth, "state.json.journal")
    with pytest.raises(StateWriteError) as raised:
        append_durably(journal, "x")
    assert str(raised.value) == f"{blocker}: cannot write: it is a file, not a folder"
    assert blocker.read_text() == ""


def test_an_append_that_runs_out_of_room_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    journal = tmp_path / "state.json.journal"
    append_durably(journal, "first\n")
    line = "x" * 100 + "\n"
    # Room for a few more bytes: the write is cut short, then the rest is refused.
    outcome = _in_a_child_limited_to(len(b"first\n") + 10, lambda: append_durably(journal, line))
    assert outcome == f"StateWriteError: {journal}: cannot write: File too large"
    assert journal.read_bytes() == b"first\n"


def test_an_append_with_room_enough_writes_every_byte(tmp_path: Path) -> None:
    journal = tmp_path / "state.json.journal"
    append_durably(journal, "first\n")
    line = "y" * 5000 + "\n"
    outcome = _in_a_child_limited_to(6 + len(line), lambda: append_durably(journal, line))
    assert outcome == "nothing raised"
    assert journal.read_bytes() == b"first\n" + line.encode()


def test_an_atomic_write_that_runs_out_of_room_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    write_atomically(target, "old")
    outcome = _in_a_child_limited_to(10, lambda: write_atomically(target, "n" * 100))
    assert outcome == f"StateWriteError: {target}: cannot write: File too large"
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_a_temporary_file_that_cannot_be_created_names_the_target(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    temporary_path(target).mkdir()
    with pytest.raises(StateWriteError) as raised:
        stage_atomically(target, "text")
    assert str(raised.value) == f"{target}: cannot write: Is a directory"


def test_a_journal_that_is_a_dangling_link_is_named(tmp_path: Path) -> None:
    journal = tmp_path / "state.json.journal"
    journal.symlink_to(tmp_path / "gone" / "journal")
    with pytest.raises(StateWriteError) as raised:
        append_durably(journal, "line\n")
    assert str(raised.value) == f"{journal}: cannot write: No such file or directory"


def test_a_folder_under_a_dangling_link_is_named(tmp_path: Path) -> None:
    (tmp_path / "link").symlink_to(tmp_path / "gone")
    folder = tmp_path / "link" / "sub"
    with pytest.raises(StateWriteError) as raised:
        make_folder(folder)
    assert raised.value.path == str(folder)


def test_files_are_written_in_utf8_whatever_the_locale(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    journal = tmp_path / "state.json.journal"
    write_atomically(target, "old")
    append_durably(journal, "old\n")

    def in_an_ascii_locale() -> None:
        locale.setlocale(locale.LC_CTYPE, "C")  # this child's text files default to ASCII
        write_atomically(target, "Ação")
        append_durably(journal, "Ação\n")

    assert _in_a_child_limited_to(resource.RLIM_INFINITY, in_an_ascii_locale) == "nothing raised"
    assert target.read_bytes() == "Ação".encode()
    assert journal.read_bytes() == "old\nAção\n".encode()
