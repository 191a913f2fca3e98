"""The known-state file: round trip, journal replay, torn lines, checksum, future versions."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from reconciler.core.known import FORMAT_VERSION, KnownState, Record
from reconciler.errors import StateFileError
from reconciler.storage.state_file import StateStore


def _record(value: str) -> Record:
    return Record(applied={"name": value}, applied_at="2026-01-01T00:00:00+00:00")


def test_missing_file_loads_as_new_empty_state(tmp_path: Path) -> None:
    state = StateStore(tmp_path / "s.json").load()
    assert state.resources == {}
    assert state.serial == 0
    assert state.lineage


def test_save_and_load_round_trip_with_mode_0600(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.json")
    state = KnownState.new().applied("client:1", _record("a"), "kid")
    store.save(state)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    loaded = store.load()
    assert loaded == state
    assert json.loads(store.path.read_text())["format_version"] == FORMAT_VERSION


def test_journal_is_replayed_and_folded_by_save(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.json")
    state = KnownState.new()
    store.save(state)
    for n in range(3):
        state = state.applied(f"client:{n}", _record(str(n)))
        store.append(state, f"client:{n}")
    assert store.journal_path.exists()
    assert store.load() == state
    assert store.load().serial == 3
    store.save(state)
    assert not store.journal_path.exists()
    assert store.backup_path.exists()
    assert store.load() == state


def test_successes_journaled_together_replay_in_order(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.json")
    first = KnownState.new().applied("client:1", _record("a"))
    second = first.applied("client:2", _record("b"))
    third = second.applied("client:1", _record("c"))  # the same resource again, later
    store.append_all([(first, "client:1"), (second, "client:2"), (third, "client:1")])
    assert len(store.journal_path.read_text().splitlines()) == 3
    assert store.load() == third
    assert store.load().resources["client:1"].applied == {"name": "c"}


def test_torn_last_journal_line_is_the_call_in_flight(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.json")
    state = KnownState.new().applied("client:1", _record("a"))
    store.append(state, "client:1")
    with store.journal_path.open("a") as handle:
        handle.write('{"lineage": "x", "ser')
    loaded = store.load()
    assert set(loaded.resources) == {"client:1"}


def test_damaged_journal_line_in_the_middle_is_refused(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.json")
    state = KnownState.new().applied("client:1", _record("a"))
    store.append(state, "client:1")
    lines = store.journal_path.read_text().splitlines()
    store.journal_path.write_text(lines[0].replace('"a"', '"b"') + "\n" + lines[0] + "\n")
    with pytest.raises(StateFileError, match="damaged journal entry"):
        store.load()


def test_journal_already_folded_before_a_crash_is_not_applied_twice(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.json")
    state = KnownState.new().applied("client:1", _record("a"))
    store.append(state, "client:1")
    journal = store.journal_path.read_text()
    store.save(state)  # folds and removes the journal...
    store.journal_path.write_text(journal)  # ...as if the process died before the unlink
    assert store.load() == state


def test_hand_edit_is_detected_by_checksum_and_not_overwritten(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.json")
    store.save(KnownState.new().applied("client:1", _record("a")))
    mangled = store.path.read_text().replace('"a"', '"b"')
    store.path.write_text(mangled)
    with pytest.raises(StateFileError, match="checksum mismatch"):
        store.load()
    assert store.path.read_text() == mangled


@pytest.mark.parametrize("content", ["", "{", "[]", "null", '{"format_version": "1"}'])
def test_truncated_or_foreign_file_is_a_clear_error(tmp_path: Path, content: str) -> None:
    store = StateStore(tmp_path / "s.json")
    store.path.write_text(content)
    with pytest.raises(StateFileError, match=str(store.path)):
        store.load()


def test_file_from_a_future_format_version_is_refused(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.json")
    store.save(KnownState.new())
    document = json.loads(store.path.read_text())
    document["format_version"] = FORMAT_VERSION + 1
    store.path.write_text(json.dumps(document))
    with pytest.raises(StateFileError, match="newer reconciler"):
        store.load()
