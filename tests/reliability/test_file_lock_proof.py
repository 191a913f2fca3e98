"""The proof of the known-state lock before each batch of calls costs a file's apply nothing.

A file lock is the kernel's, held for as long as the process lives: a store that says so
(``lock_held_by_process``) is never asked to prove it, and its apply sends no proof off the
event loop. A store that does not say so is still asked before its first call, and a proof
that fails still stops the apply before any call is sent.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import SecretStr

from reconciler.api.api_client import ApiClient
from reconciler.core.plan import build_plan
from reconciler.core.report import ApplyReport
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import load_desired
from reconciler.errors import LockLost
from reconciler.sandbox import Sandbox
from reconciler.settings import ToolSettings
from reconciler.storage.state_file import StateStore
from reconciler.workflows.apply import apply_plan
from tests.support.cli_process import API_KEY, AT_PASSWORD
from tests.support.many_clients import Fleet


class CountedProofs(StateStore):
    """A known-state file that counts the proofs asked of it."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.proofs = 0

    def prove_lock(self) -> None:
        self.proofs += 1


class LockGone(CountedProofs):
    """A store whose lock must be proved, and whose proof fails."""

    lock_held_by_process = False

    def prove_lock(self) -> None:
        super().prove_lock()
        raise LockLost(str(self.path), "the lock is not held")


def apply(fleet: Fleet, store: StateStore, sandbox: Sandbox) -> ApplyReport:
    known = store.load()
    desired = load_desired(fleet.desired, {"AT_PASSWORD": AT_PASSWORD})
    plan = build_plan(desired, known, DigestKey(API_KEY))

    async def run(base_url: str) -> ApplyReport:
        tool = ToolSettings(rate_limit=0, concurrency=4)
        async with ApiClient(base_url, SecretStr(API_KEY), tool) as client:
            return await apply_plan(plan, client, store, known, concurrency=4)

    with sandbox.running_in_thread() as base_url:
        return asyncio.run(run(base_url))


def test_an_apply_with_its_known_state_in_a_file_asks_for_no_proof(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, 12).write()
    store = CountedProofs(fleet.state_file)
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    report = apply(fleet, store, sandbox)
    assert report.ok, [outcome.detail for outcome in report.outcomes]
    assert len(store.journal.entries()) == fleet.calls
    assert store.proofs == 0


def test_a_store_whose_lock_needs_proof_is_still_proved_before_any_call(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, 12).write()
    store = LockGone(fleet.state_file)
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    before = sandbox.snapshot()
    with pytest.raises(LockLost) as lost:
        apply(fleet, store, sandbox)
    assert (lost.value.made, lost.value.recorded) == (0, 0)
    assert store.proofs >= 1
    assert store.journal.entries() == []
    assert sandbox.snapshot() == before  # no call reached the server
