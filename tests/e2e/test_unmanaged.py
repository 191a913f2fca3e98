"""Resources removed from the file: listed as no longer managed, forgotten by apply without a
call (the API deletes nothing here), and the next plan is quiet."""

from __future__ import annotations

import json

from reconciler.storage.state_file import StateStore
from tests.support.cli_env import Env


def _without_client_43(e2e: Env) -> None:
    text = e2e.desired.read_text("utf-8")
    start = text.index("  - id: 43")
    end = text.find("\n  - ", start + 1)
    e2e.desired.write_text(text[:start] + (text[end + 1 :] if end != -1 else ""), "utf-8")


def test_a_client_removed_from_the_file_is_forgotten_without_a_call(e2e: Env) -> None:
    assert e2e.run("apply", "-f", str(e2e.desired), "--auto-approve").exit_code == 0
    _without_client_43(e2e)
    e2e.sandbox.clear_requests()

    plan = e2e.run("plan", "-f", str(e2e.desired), "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    assert "no longer managed: client 43 — nothing is deleted on the account" in plan.output
    assert "Plan: no calls; 1 no longer managed (records dropped on apply)" in plan.output

    document = json.loads(e2e.run("plan", "-f", str(e2e.desired), "--format", "json").output)
    assert [u["resource"] for u in document["unmanaged"]] == ["client:43"]
    assert document["summary"]["unmanaged"] == 1
    assert document["summary"]["changes_pending"] is True
    markdown = e2e.run("plan", "-f", str(e2e.desired), "--format", "markdown").output
    assert "no longer managed (1)" in markdown and "`client:43`" in markdown

    applied = e2e.run("apply", "-f", str(e2e.desired), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "1 no longer managed, records dropped" in applied.output
    assert e2e.calls() == []
    known = StateStore(e2e.state_file).load()
    assert "client:43" not in known.resources
    assert "client:42" in known.resources
    assert e2e.sandbox.snapshot()["clients"]  # nothing was deleted on the account

    again = e2e.run("plan", "-f", str(e2e.desired), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.output


def test_forgetting_rides_along_with_calls_and_respects_targets(e2e: Env) -> None:
    assert e2e.run("apply", "-f", str(e2e.desired), "--auto-approve").exit_code == 0
    _without_client_43(e2e)
    e2e.desired.write_text(
        e2e.desired.read_text("utf-8").replace("city: Lisboa", "city: Sintra", 1), "utf-8"
    )

    targeted = e2e.run("plan", "-f", str(e2e.desired), "--target", "account")
    assert "no longer managed" not in targeted.output

    applied = e2e.run("apply", "-f", str(e2e.desired), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "Apply: 1 succeeded, 0 failed, 0 skipped; 1 no longer managed" in applied.output
    assert "client:43" not in StateStore(e2e.state_file).load().resources
