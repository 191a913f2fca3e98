"""Group commit keeps the journal's promise: a success is reported only once it is durable.

Successes that complete together share one journal write and one fsync, made off the event
loop; the outcome of each (what progress shows, what the calls after it wait for) comes only
after that write. Here every outcome reported as a success reads the journal file back and
finds its own line already there.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from pydantic import SecretStr

from reconciler.api.api_client import ApiClient
from reconciler.core.plan import build_plan
from reconciler.core.report import Outcome, Status
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import load_desired
from reconciler.sandbox import Sandbox
from reconciler.settings import ToolSettings
from reconciler.storage.state_file import StateStore
from reconciler.workflows.apply import apply_plan
from tests.support.cli_process import API_KEY, AT_PASSWORD
from tests.support.many_clients import Fleet

IN_FLIGHT = 8


def test_each_success_is_reported_only_after_its_journal_line_is_on_disk(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, 60).write()
    store = StateStore(fleet.state_file)
    known = store.load()
    desired = load_desired(fleet.desired, {"AT_PASSWORD": AT_PASSWORD})
    plan = build_plan(desired, known, DigestKey(API_KEY))
    found_on_disk: list[bool] = []

    def listener(outcome: Outcome) -> None:
        if outcome.status is Status.SUCCEEDED:
            journaled = {entry["key"] for entry in store.journal.entries()}  # the file, now
            found_on_disk.append(outcome.call.resource in journaled)

    async def apply(base_url: str) -> Status:
        tool = ToolSettings(rate_limit=0, concurrency=IN_FLIGHT)
        async with ApiClient(base_url, SecretStr(API_KEY), tool) as client:
            report = await apply_plan(
                plan, client, store, known, concurrency=IN_FLIGHT, on_outcome=listener
            )
        assert report.ok, [outcome.detail for outcome in report.outcomes]
        assert store.load() == report.state  # the journal holds every success
        return Status.SUCCEEDED

    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        asyncio.run(apply(base_url))
    assert len(found_on_disk) == fleet.calls
    assert all(found_on_disk)
    assert len(store.journal.entries()) == fleet.calls
    assert fleet.converged(sandbox) == []
