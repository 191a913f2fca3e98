"""A known-state file that can't be written, mid-apply or at its end, against the sandbox.

When a success can't be journaled (a directory where the journal goes, a file where its folder
goes: what a full disk does, at a moment the test chooses), the apply stops at once: no further
call is made, and the error says how many successes are recorded and which success is not, so
the next apply makes it again. When the state file can't be saved after the calls, the error
says that every success is still in the journal.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import SecretStr

from reconciler.api.api_client import ApiClient
from reconciler.core.known import KnownState
from reconciler.core.plan import Plan, build_plan
from reconciler.core.report import ApplyReport, Outcome, Status
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import load_desired
from reconciler.errors import StateWriteError
from reconciler.sandbox import Sandbox
from reconciler.settings import ToolSettings
from reconciler.storage.state_file import StateStore
from reconciler.workflows.apply import _Recorder, apply_plan, save_applied
from tests.support.cli_process import API_KEY
from tests.support.many_clients import Fleet

CLIENTS = range(1000, 1005)


def _clients_plan(folder: Path, known: KnownState, city: str = "Porto") -> Plan:
    """Each client of the fleet's sandbox updated to ``city`` and a name of its own."""
    lines = ["clients:"]
    for number in CLIENTS:
        lines += [f"  - id: {number}", f"    code: C{number}", f"    name: Cliente {number}"]
        lines.append(f"    city: {city} {number}")
    (folder / "state.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return build_plan(load_desired(folder / "state.yaml", {}), known, DigestKey(API_KEY))


def _apply(sandbox: Sandbox, plan: Plan, store: StateStore, heard: list[Outcome]) -> ApplyReport:
    async def run(base_url: str) -> ApplyReport:
        async with ApiClient(base_url, SecretStr(API_KEY), ToolSettings(rate_limit=0)) as client:
            known = store.load()
            return await apply_plan(
                plan, client, store, known, concurrency=1, on_outcome=heard.append
            )

    with sandbox.running_in_thread() as base_url:
        return asyncio.run(run(base_url))


def _directory_for_the_journal(store: StateStore) -> tuple[Path, Callable[[], None]]:
    """A directory where the journal goes, and how to put the journal back."""
    journal = store.journal.path
    kept = journal.rename(journal.with_name("kept"))
    journal.mkdir()

    def restore() -> None:
        journal.rmdir()
        kept.rename(journal)

    return journal, restore


def _file_for_the_folder(store: StateStore) -> tuple[Path, Callable[[], None]]:
    """A file where the known state's folder goes, and how to put the folder back."""
    folder = store.path.parent
    kept = folder.rename(folder.with_name("kept"))
    folder.write_text("")

    def restore() -> None:
        folder.unlink()
        kept.rename(folder)

    return folder, restore


def _updated(sandbox: Sandbox) -> list[int]:
    return [int(r.path.split("/")[2].split(".")[0]) for r in sandbox.requests if r.method == "PUT"]


@pytest.mark.parametrize(
    ("block", "failing", "reason", "recorded"),
    [
        (_directory_for_the_journal, 1001, "Is a directory", "1 call succeeded and is"),
        (_file_for_the_folder, 1003, "it is a file, not a folder", "3 calls succeeded and are"),
    ],
    ids=["a directory where the journal goes", "a file where its folder goes"],
)  # fmt: skip
def test_a_success_that_cant_be_journaled_stops_the_apply_and_is_named(
    tmp_path: Path,
    block: Callable[[StateStore], tuple[Path, Callable[[], None]]],
    failing: int,
    reason: str,
    recorded: str,
) -> None:
    store = StateStore(tmp_path / ".reconciler" / "state.json")
    plan = _clients_plan(tmp_path, store.load())
    sandbox = Sandbox(api_key=API_KEY, data=Fleet(tmp_path, len(CLIENTS)).sandbox_data())
    sandbox.rate_limit = 0
    blocked: list[tuple[Path, Callable[[], None]]] = []

    def in_the_way(city: object) -> object:
        # Runs as the sandbox takes the change, before it answers: the success of this call
        # is the first one that can't be journaled.
        if city == f"Porto {failing}":
            blocked.append(block(store))
        return city

    sandbox.rewrites = {"client.city": in_the_way}
    heard: list[Outcome] = []
    with pytest.raises(StateWriteError) as stopped:
        _apply(sandbox, plan, store, heard)

    [(path, restore)] = blocked
    assert (stopped.value.path, stopped.value.reason) == (str(path), reason)
    assert str(stopped.value) == (
        f"{path}: cannot write: {reason}. The apply stopped at once: {recorded} recorded; "
        f"update client {failing} succeeded but could not be recorded, so the next apply "
        f"makes it again"
    )
    made = list(range(CLIENTS[0], failing + 1))
    assert _updated(sandbox) == made  # no call after the one that could not be recorded
    assert [(o.call.resource, o.status) for o in heard] == [
        (f"client:{n}", Status.SUCCEEDED) for n in made[:-1]
    ]
    restore()
    assert sorted(store.load().resources) == [f"client:{n}" for n in made[:-1]]


def test_successes_lost_in_one_write_are_each_named(tmp_path: Path) -> None:
    # Two successes that complete together share one write; when it fails, both are named.
    store = StateStore(tmp_path / ".reconciler" / "state.json")
    known = store.load()
    plan = _clients_plan(tmp_path, known)
    store.journal.path.parent.mkdir()
    store.journal.path.mkdir()
    recorder = _Recorder(known, store, plan.key_id)

    async def together() -> list[BaseException | None]:
        records = (recorder.record(call, None) for call in plan.calls[:2])
        return await asyncio.gather(*records, return_exceptions=True)

    async def later() -> None:
        await recorder.record(plan.calls[2], None)

    first, second = asyncio.run(together())
    assert isinstance(first, StateWriteError) and second is first
    assert str(first) == (
        f"{store.journal.path}: cannot write: Is a directory. The apply stopped at once: "
        "0 calls succeeded and are recorded; update client 1000, update client 1001 succeeded "
        "but could not be recorded, so the next apply makes them again"
    )
    assert (recorder.recorded, recorder.state) == (0, known)
    # The journal must not go on past a write that failed: a later success is not written,
    # even once the journal could take it.
    store.journal.path.rmdir()
    with pytest.raises(StateWriteError) as later_one:
        asyncio.run(later())
    assert later_one.value is first
    assert not store.journal.path.exists()


def test_a_state_that_cant_be_saved_after_the_calls_says_the_journal_holds_every_success(
    tmp_path: Path,
) -> None:
    store = StateStore(tmp_path / ".reconciler" / "state.json")
    store.save(KnownState.new())
    sandbox = Sandbox(api_key=API_KEY, data=Fleet(tmp_path, len(CLIENTS)).sandbox_data())
    sandbox.rate_limit = 0
    report = _apply(sandbox, _clients_plan(tmp_path, store.load()), store, [])
    assert report.ok
    save_applied(store, report.state)
    assert store.load() == report.state
    assert not store.journal.path.exists()

    again = _apply(sandbox, _clients_plan(tmp_path, report.state, "Faro"), store, [])
    shutil.rmtree(store.backup_path, ignore_errors=True)
    store.backup_path.unlink(missing_ok=True)
    store.backup_path.mkdir()
    with pytest.raises(StateWriteError) as failed:
        save_applied(store, again.state)
    assert (failed.value.path, failed.value.reason) == (str(store.backup_path), "Is a directory")
    assert str(failed.value) == (
        f"{store.backup_path}: cannot write: Is a directory. Every success of this apply is "
        f"recorded in {store.journal.path}; the next run folds it into the known state"
    )
    store.backup_path.rmdir()
    assert store.load() == again.state  # the journal holds them
