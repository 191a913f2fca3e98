"""The known-state file survives anything: damage is detected and refused, never overwritten."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reconciler.core.known import KnownState, Record
from reconciler.errors import StateFileError
from reconciler.sandbox import Sandbox
from reconciler.storage.envelope import checksum
from reconciler.storage.state_file import StateStore
from tests.support.cli_process import API_KEY, environment, run_cli
from tests.support.many_clients import Fleet


def _record(value: str) -> Record:
    return Record(applied={"name": value}, applied_at="2026-01-01T00:00:00+00:00")


@pytest.fixture
def applied(tmp_path: Path) -> Iterator[tuple[Fleet, Sandbox, dict[str, str]]]:
    """A fleet applied once, its sandbox still running, and the environment to reach it."""
    fleet = Fleet(tmp_path, 3).write()
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url)
        result = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)
        assert result.exit_code == 0, result.output
        sandbox.clear_requests()
        yield fleet, sandbox, env


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


def _hand_edit(path: Path) -> None:
    path.write_text(path.read_text().replace("Cidade 1001", "Cidade 1001 (edited)"))


def _future(path: Path) -> None:
    document = json.loads(path.read_text())
    path.write_text(json.dumps({**document, "format_version": 99}))


def _unchecked(path: Path) -> None:
    document = json.loads(path.read_text())
    del document["checksum"]
    path.write_text(json.dumps(document))


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00\xff\xfe garbage")


def _mangle_journal(path: Path) -> None:
    journal = path.with_name(path.name + ".journal")
    journal.write_text('{"lineage": "x", "serial": 1}\n{"not": "checked"}\n\n')


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "truncated": (_truncate, "not valid JSON"),
    "edited by hand": (_hand_edit, "checksum mismatch"),
    "future format version": (_future, "written by a newer reconciler"),
    "checksum removed": (_unchecked, "checksum mismatch"),
    "binary garbage": (_garbage, "not valid JSON"),
    "mangled journal": (_mangle_journal, "damaged journal entry"),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
@pytest.mark.parametrize("command", ["plan", "apply"])
def test_damaged_state_is_refused_with_exit_1_and_left_as_it_is(
    applied: tuple[Fleet, Sandbox, dict[str, str]], damage: str, command: str
) -> None:
    fleet, sandbox, env = applied
    change, message = DAMAGE[damage]
    fleet.desired.write_text(fleet.desired.read_text().replace("Cidade 1000", "Outra"))
    change(fleet.state_file)
    folder = fleet.state_file.parent
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    args = [command, "-f", str(fleet.desired)] + (["--auto-approve"] if command == "apply" else [])
    result = run_cli(args, env)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert str(fleet.state_file) in result.stderr
    assert "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert sandbox.requests == []


def test_files_are_private_and_the_backup_is_the_previous_version(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "private" / "s.json")
    first = KnownState.new().applied("client:1", _record("a"))
    store.save(first)
    previous = store.path.read_bytes()
    second = first.applied("client:2", _record("b"))
    store.append(second, "client:2")
    store.save(second)
    assert store.backup_path.read_bytes() == previous
    for path in (store.path, store.backup_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    third = second.applied("client:3", _record("c"))
    store.append(third, "client:3")
    assert stat.S_IMODE(store.journal_path.stat().st_mode) == 0o600


def test_save_refuses_a_file_replaced_by_another_history(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.json")
    mine = KnownState.new().applied("client:1", _record("a"))
    store.save(mine)
    other = StateStore(tmp_path / "other.json")
    other.save(KnownState.new().applied("client:9", _record("z")))
    store.path.write_bytes(other.path.read_bytes())  # e.g. copied over from another checkout
    before = store.path.read_bytes()
    with pytest.raises(StateFileError, match="another history"):
        store.save(mine.applied("client:2", _record("b")))
    assert store.path.read_bytes() == before


def test_save_refuses_a_file_damaged_since_it_was_loaded(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.json")
    state = KnownState.new().applied("client:1", _record("a"))
    store.save(state)
    edited = store.path.read_text().replace('"a"', '"A"')
    store.path.write_text(edited)
    with pytest.raises(StateFileError, match="checksum mismatch"):
        store.save(state.applied("client:2", _record("b")))
    assert store.path.read_text() == edited


def test_save_refuses_a_file_written_by_a_later_run(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.json")
    state = KnownState.new().applied("client:1", _record("a"))
    store.save(state.applied("client:2", _record("b")))
    with pytest.raises(StateFileError, match="written by another run"):
        store.save(state)


def test_a_torn_journal_tail_is_settled_before_new_entries_follow_it(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.json")
    state = KnownState.new().applied("client:1", _record("a"))
    store.append(state, "client:1")
    with store.journal_path.open("a") as handle:
        handle.write('{"lineage": "torn')  # the write in flight when the process died
    store.settle(store.load())
    later = store.load().applied("client:2", _record("b"))
    store.append(later, "client:2")
    assert set(store.load().resources) == {"client:1", "client:2"}


def test_a_journal_entry_with_a_valid_checksum_but_a_bad_record_is_damage(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.json")
    state = KnownState.new().applied("client:1", _record("a"))
    store.append(state, "client:1")
    line = json.loads(store.journal_path.read_text())
    del line["checksum"]
    line["record"] = {"applied": "not a mapping"}
    good = store.journal_path.read_text()
    bad = json.dumps({**line, "checksum": checksum(line)})
    store.journal_path.write_text(bad + "\n" + good)
    with pytest.raises(StateFileError, match="damaged journal entry"):
        store.load()


def test_temporaries_left_by_a_killed_save_are_removed_by_the_next(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s.json")
    leftover = tmp_path / ".s.json.4242.tmp"
    leftover.write_text("half a state")
    store.save(KnownState.new())
    assert not leftover.exists()
    assert store.load().serial == 0
