"""The journal read back line by line: what counts as an entry, as damage, or as a torn write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.core.known import KnownState, Record
from reconciler.errors import StateFileError, StateWriteError
from reconciler.storage.envelope import sealed
from reconciler.storage.journal import Journal

DAMAGED = "damaged journal entry; move the journal aside to discard the successes it records"
RECORD = {"applied": {"name": "A"}, "applied_at": "2026-01-01T00:00:00Z"}


def _entry(**changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "lineage": "L",
        "serial": 1,
        "key_id": None,
        "key": "client:1",
        "record": RECORD,
    }
    entry.update(changes)
    return entry


def _line(document: Any) -> bytes:
    """A journal line holding ``document``, sealed with its right checksum when a mapping."""
    if isinstance(document, dict):
        document = sealed(document)
    return json.dumps(document, ensure_ascii=False).encode() + b"\n"


def _state(serial: int, key: str, name: str, key_id: str | None = None) -> KnownState:
    state = KnownState(lineage="L", serial=serial - 1, key_id=key_id)
    return state.applied(key, Record({"name": name}, "2026-01-01T00:00:00Z"))


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "state.json.journal")


def test_each_success_is_one_line_read_back_as_written(journal: Journal) -> None:
    assert not journal.exists() and journal.entries() == []
    journal.append(_state(1, "client:1", "A", "k1"), "client:1")
    journal.append_all([(_state(2, "client:2", "B"), "client:2"), (_state(3, "x:3", "C"), "x:3")])
    assert journal.exists()
    assert journal.path.read_bytes().count(b"\n") == 3
    entries = journal.entries()
    assert [(e["lineage"], e["serial"], e["key_id"], e["key"]) for e in entries] == [
        ("L", 1, "k1", "client:1"),
        ("L", 2, None, "client:2"),
        ("L", 3, None, "x:3"),
    ]
    assert [e["record"] for e in entries] == [
        Record({"name": name}, "2026-01-01T00:00:00Z") for name in "ABC"
    ]
    assert all(set(e) == {"lineage", "serial", "key_id", "key", "record"} for e in entries)


def test_a_line_holds_text_as_it_is_not_escaped(journal: Journal) -> None:
    journal.append(_state(1, "client:1", "Ação"), "client:1")
    assert "Ação".encode() in journal.path.read_bytes()
    assert journal.entries()[0]["record"].applied == {"name": "Ação"}


def test_removing_the_journal_removes_its_file(journal: Journal) -> None:
    journal.remove()  # nothing there: nothing to do
    journal.append(_state(1, "client:1", "A"), "client:1")
    journal.remove()
    assert not journal.exists() and not journal.path.exists()


def test_blank_lines_are_skipped_and_lines_keep_their_numbers(journal: Journal) -> None:
    good = _line(_entry())
    journal.path.write_bytes(b"\n" + good + b"  \n" + good + b"[1]\n" + good)
    with pytest.raises(StateFileError) as raised:
        journal.entries()
    assert str(raised.value) == f"{journal.path}:5: {DAMAGED}"
    journal.path.write_bytes(b"\n" + good + b"  \n" + good + b" \t ")
    assert [e["serial"] for e in journal.entries()] == [1, 1]


@pytest.mark.parametrize(
    "entry",
    [
        _entry(serial=0),
        _entry(serial=-1),
        _entry(serial=True),
        _entry(serial="1"),
        _entry(serial=None),
        _entry(key=1),
        _entry(key=None),
        _entry(lineage=1),
        _entry(lineage=None),
        _entry(key_id=1),
        _entry(record={"applied": []}),
        _entry(record=None),
    ],
    ids=lambda entry: json.dumps(entry)[:60],
)
def test_a_sealed_line_that_is_no_entry_is_damage(journal: Journal, entry: dict[str, Any]) -> None:
    journal.path.write_bytes(_line(_entry()) + _line(entry) + _line(_entry()))
    with pytest.raises(StateFileError) as raised:
        journal.entries()
    assert str(raised.value) == f"{journal.path}:2: {DAMAGED}"


@pytest.mark.parametrize("serial", [1, 2, 10**20])
@pytest.mark.parametrize("key_id", [None, "k"])
def test_the_entries_a_journal_may_hold(journal: Journal, serial: int, key_id: str | None) -> None:
    journal.path.write_bytes(_line(_entry(serial=serial, key_id=key_id)))
    [entry] = journal.entries()
    assert (entry["serial"], entry["key_id"]) == (serial, key_id)
    assert entry["record"] == Record({"name": "A"}, "2026-01-01T00:00:00Z")


@pytest.mark.parametrize(
    "tail",
    [
        b"{",
        b'{"lin',
        b'{"lineage": "',
        b'{"lineage": "L", "x": "Ac\xc3',
        b'{"lineage": "L", "x": 1',
    ],
)
def test_an_unterminated_start_of_an_entry_is_a_torn_write(
    journal: Journal, tail: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    journal.path.write_bytes(_line(_entry()) + tail)
    assert [e["key"] for e in journal.entries()] == ["client:1"]
    assert (
        f"{journal.path}:2: the last line is incomplete, a write cut short when a process "
        "died; dropped (the call it recorded will be made again)"
    ) in caplog.text


def test_a_whole_sealed_last_line_that_is_no_entry_is_damage_without_its_newline(
    journal: Journal,
) -> None:
    journal.path.write_bytes(_line(_entry()) + _line(_entry(serial=0)).rstrip(b"\n"))
    with pytest.raises(StateFileError) as raised:
        journal.entries()
    assert str(raised.value) == f"{journal.path}:2: {DAMAGED}"


@pytest.mark.parametrize(
    "tail",
    [
        b"x",
        b'{"serial": 1',
        b'{"lineage": "L", "x": "\x01',
        b'{"lineage": "L", "x": "\t',
        b'{"lineage": "L", "x": "\xff',
        b'{"lineage": "L", "x": "\xc3\xc3',
        b"[1]",
    ],
)
def test_an_unterminated_last_line_that_no_entry_starts_with_is_damage(
    journal: Journal, tail: bytes
) -> None:
    journal.path.write_bytes(_line(_entry()) + _line(_entry()) + tail)
    with pytest.raises(StateFileError) as raised:
        journal.entries()
    assert str(raised.value) == f"{journal.path}:3: {DAMAGED}"


def test_a_journal_that_is_not_a_file_is_refused_with_its_name(journal: Journal) -> None:
    journal.path.mkdir()
    with pytest.raises(StateFileError) as raised:
        journal.entries()
    assert str(raised.value).startswith(f"{journal.path}: cannot read the journal: ")


def test_a_journal_that_cannot_be_removed_is_named(journal: Journal) -> None:
    journal.path.mkdir()
    with pytest.raises(StateWriteError) as raised:
        journal.remove()
    assert str(raised.value) == f"{journal.path}: cannot write: Is a directory"
