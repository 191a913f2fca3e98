"""A damaged journal is refused; only an unterminated last line, a torn write, is dropped.

A line the journal wrote whole ends with ``\\n``; one flipped byte in it is damage, even in the
last line. Only a last line with no ``\\n`` can be the write in flight when a process died.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from reconciler.core.known import KnownState, Record
from reconciler.errors import StateFileError
from reconciler.storage.state_file import StateStore
from tests.support.cli_process import environment, run_cli

DAMAGED = "damaged journal entry; move the journal aside to discard the successes it records"


def _journaled(folder: Path, count: int) -> StateStore:
    """A store whose journal records ``count`` successes (no main file yet)."""
    store = StateStore(folder / "state.state.json")
    state = KnownState.new()
    for number in range(count):
        record = Record(applied={"name": f"client {number}"}, applied_at="2026-01-01T00:00:00Z")
        state = state.applied(f"client:{number}", record)
        store.append(state, f"client:{number}")
    return store


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


@pytest.mark.parametrize("line", [0, 2], ids=["first line", "last line"])
@pytest.mark.parametrize("offset", [2, 30, -20, -3])
def test_one_flipped_byte_in_a_complete_line_is_refused(
    tmp_path: Path, line: int, offset: int
) -> None:
    store = _journaled(tmp_path, 3)
    lines = store.journal_path.read_bytes().splitlines(keepends=True)
    target = lines[line]
    lines[line] = _flip(target, offset % (len(target) - 1))  # never the final newline
    store.journal_path.write_bytes(b"".join(lines))
    with pytest.raises(StateFileError) as raised:
        store.load()
    assert f"{store.journal_path}:{line + 1}: {DAMAGED}" == str(raised.value)


@pytest.mark.parametrize("line", [0, 2], ids=["first line", "last line"])
def test_a_line_without_its_checksum_is_refused(tmp_path: Path, line: int) -> None:
    store = _journaled(tmp_path, 3)
    lines = store.journal_path.read_bytes().splitlines(keepends=True)
    entry = json.loads(lines[line])
    del entry["checksum"]
    lines[line] = json.dumps(entry).encode() + b"\n"
    store.journal_path.write_bytes(b"".join(lines))
    with pytest.raises(StateFileError) as raised:
        store.load()
    assert f"{store.journal_path}:{line + 1}: {DAMAGED}" == str(raised.value)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("terminated", [True, False])
def test_random_bytes_are_refused(tmp_path: Path, seed: int, terminated: bool) -> None:
    store = StateStore(tmp_path / "state.state.json")
    noise = random.Random(seed).randbytes(200).replace(b"\n", b"")
    store.journal_path.write_bytes(noise + (b"\n" if terminated else b""))
    with pytest.raises(StateFileError, match="damaged journal entry"):
        store.load()


def test_random_bytes_after_good_entries_are_refused(tmp_path: Path) -> None:
    store = _journaled(tmp_path, 2)
    with store.journal_path.open("ab") as handle:
        handle.write(random.Random(7).randbytes(300))
    with pytest.raises(StateFileError, match="damaged journal entry"):
        store.load()


@pytest.mark.parametrize("kept", [1, 17, 60, 120])
def test_an_unterminated_last_line_is_a_torn_write_and_only_it_is_dropped(
    tmp_path: Path, kept: int, caplog: pytest.LogCaptureFixture
) -> None:
    store = _journaled(tmp_path, 3)
    lines = store.journal_path.read_bytes().splitlines(keepends=True)
    torn = lines[2][:kept]
    store.journal_path.write_bytes(b"".join(lines[:2]) + torn)
    assert set(store.load().resources) == {"client:0", "client:1"}
    assert f"{store.journal_path}:3: the last line is incomplete" in caplog.text


def test_a_whole_last_entry_missing_only_its_newline_is_kept(tmp_path: Path) -> None:
    store = _journaled(tmp_path, 2)
    store.journal_path.write_bytes(store.journal_path.read_bytes()[:-1])
    assert set(store.load().resources) == {"client:0", "client:1"}


def test_plan_refuses_a_damaged_last_journal_line_with_exit_1(tmp_path: Path) -> None:
    (tmp_path / "state.yaml").write_text("clients:\n  - id: 1\n    code: A\n    name: A\n")
    store = _journaled(tmp_path / ".reconciler", 2)
    data = store.journal_path.read_bytes()
    store.journal_path.write_bytes(_flip(data, len(data) - 10))
    result = run_cli(
        ["plan", "-f", str(tmp_path / "state.yaml")], environment("http://127.0.0.1:9")
    )
    assert result.exit_code == 1, result.output
    assert f"{store.journal_path}:2: {DAMAGED}" in result.stderr
    assert "Traceback" not in result.output
