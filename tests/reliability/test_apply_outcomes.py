"""What each call of an apply reports, and what the known state records of it.

The plan's calls are made against the sandbox over HTTP, one at a time, with the known state in
its file. A call whose dependency did not succeed is skipped and names that dependency; a call
waiting for a creation is bound to the id the API gave, or recorded without a call when the
creation already did its work; after a refused API key nothing more is attempted; a
registration answered "already registered" counts as done and records that answer.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from reconciler.api.api_client import ApiClient
from reconciler.core.known import KnownState, Record
from reconciler.core.plan import Plan, build_plan
from reconciler.core.report import ApplyReport, Outcome, Status
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import load_desired
from reconciler.sandbox import Quirks, Sandbox
from reconciler.settings import ToolSettings
from reconciler.storage.state_file import StateStore
from reconciler.workflows.apply import apply_plan, forget_unmanaged
from tests.support.cli_process import API_KEY, AT_PASSWORD
from tests.support.many_clients import SEQUENCE, Fleet

ACCOUNT = """\
account:
  id: 12345
  organization_name: Frota de Testes, Lda
  fiscal_id: "999999990"
  postal_code: 1500-555
  city: Lisboa
  credentials:
    username: 999999990/1
    password: ${AT_PASSWORD}
"""
NEW_SERIE = "sequences:\n  default: '2027'\n  register: ['2027']\n"
CREATION = "new-sequence:2027"


def _plan(folder: Path, text: str, known: KnownState, creatable: frozenset[str]) -> Plan:
    (folder / "state.yaml").write_text(text, encoding="utf-8")
    desired = load_desired(folder / "state.yaml", {"AT_PASSWORD": AT_PASSWORD})
    return build_plan(desired, known, DigestKey(API_KEY), creatable=creatable)


def _apply(
    sandbox: Sandbox, plan: Plan, store: StateStore, *, key: str = API_KEY
) -> tuple[ApplyReport, list[Outcome]]:
    """The plan applied one call at a time; its report, and the outcomes the listener heard."""
    heard: list[Outcome] = []

    async def run(base_url: str) -> ApplyReport:
        async with ApiClient(base_url, SecretStr(key), ToolSettings(rate_limit=0)) as client:
            return await apply_plan(
                plan, client, store, store.load(), concurrency=1, on_outcome=heard.append
            )

    with sandbox.running_in_thread() as base_url:
        report = asyncio.run(run(base_url))
    return report, heard


def _shown(outcomes: list[Outcome] | tuple[Outcome, ...]) -> list[tuple[str, Status, str, str]]:
    return sorted((o.call.resource, o.status, o.detail, o.cause) for o in outcomes)


def _requested(sandbox: Sandbox) -> list[str]:
    return [f"{r.method} {r.path}" for r in sandbox.requests if r.method != "GET"]


def test_a_call_after_one_that_failed_is_skipped_and_names_the_call_it_needed(
    tmp_path: Path,
) -> None:
    # The account has no AT credentials: the sandbox refuses the registration, so making the
    # sequence the default, which waits for it, is skipped; the clients do not wait for it.
    text = (
        f"sequences:\n  default: {SEQUENCE}\n  register: [{SEQUENCE}]\nclients:\n"
        "  - id: 1000\n    code: C1000\n    name: Um\n    city: Porto\n"
        "  - code: NEW1\n    name: Novo\n"
    )
    store = StateStore(tmp_path / "state.json")
    plan = _plan(tmp_path, text, store.load(), frozenset({"NEW1"}))
    sandbox = Sandbox(api_key=API_KEY, data=Fleet(tmp_path, 2).sandbox_data(), rate_limit=0)
    report, heard = _apply(sandbox, plan, store)

    refused = "HTTP 422: Invalid Tax Authority credentials. (code 002)"
    failed = f"PUT /sequences/146090/register.json: {refused}"
    skipped = "needs registration:146090, which did not succeed"
    assert [o.call.resource for o in report.outcomes] == [c.resource for c in plan.calls]
    assert _shown(report.outcomes) == [
        ("client:1000", Status.SUCCEEDED, "", ""),
        ("default_sequence", Status.SKIPPED, skipped, ""),
        ("new-client:NEW1", Status.SUCCEEDED, "created as client:1002", ""),
        ("registration:146090", Status.FAILED, failed, refused),
    ]
    assert _shown(heard) == _shown(report.outcomes)
    assert "PUT /sequences/146090/set_current.json" not in _requested(sandbox)
    # Only the successes are recorded, the created client under the id it was given; no
    # record holds a secret's digest, so the state has no digest key.
    assert sorted(report.state.resources) == ["client:1000", "client:1002"]
    assert store.load() == report.state
    assert report.state.key_id is None
    created = report.state.get("client:1002")
    assert created is not None and created.applied["code"] == "NEW1"
    assert report.state.get("client:1000") == Record(
        {"code": "C1000", "name": "Um", "city": "Porto"}, _at(report, "client:1000"), None
    )


def _at(report: ApplyReport, key: str) -> str:
    record = report.state.get(key)
    assert record is not None and record.applied_at.startswith("20")
    return record.applied_at


def test_the_calls_waiting_for_a_creation_that_failed_are_skipped(tmp_path: Path) -> None:
    def no_open_activity(data: dict[str, Any]) -> None:
        data["account"]["at_open_activity"] = False  # the creation's registration is refused

    store = StateStore(tmp_path / "state.json")
    plan = _plan(tmp_path, ACCOUNT + NEW_SERIE, store.load(), frozenset({CREATION}))
    sandbox = Sandbox(api_key=API_KEY, rate_limit=0)
    sandbox.edit(no_open_activity)
    report, _ = _apply(sandbox, plan, store)

    skipped = f"needs {CREATION}, which did not succeed"
    shown = {o.call.resource: (o.status, o.detail) for o in report.outcomes}
    assert shown["account:12345"] == (Status.SUCCEEDED, "")
    assert shown[CREATION][0] is Status.FAILED
    assert "open activity" in shown[CREATION][1]
    assert shown["registration:{new-sequence:2027}"] == (Status.SKIPPED, skipped)
    assert shown["default_sequence"] == (
        Status.SKIPPED,
        "needs registration:{new-sequence:2027}, which did not succeed",
    )
    assert _requested(sandbox) == ["PUT /api/accounts/12345/update.json", "POST /sequences.json"]
    assert sorted(report.state.resources) == ["account:12345"]
    # The account's record holds the AT password's digest: the state names the digest key.
    assert report.state.key_id == plan.key_id is not None


def test_a_registration_the_creation_made_is_recorded_without_a_call(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.json")
    plan = _plan(tmp_path, ACCOUNT + NEW_SERIE, store.load(), frozenset({CREATION}))
    sandbox = Sandbox(api_key=API_KEY, rate_limit=0)
    report, heard = _apply(sandbox, plan, store)

    created = report.state.get("lookup:serie:2027")
    assert created is not None
    new_id = created.applied["id"]
    done = f"done by its creation ({CREATION})"
    assert [(o.call.path, o.status, o.detail) for o in report.outcomes] == [
        ("/api/accounts/12345/update.json", Status.SUCCEEDED, ""),
        ("/sequences.json", Status.SUCCEEDED, f"created as sequence {new_id}"),
        (f"/sequences/{new_id}/register.json", Status.SUCCEEDED, done),
        (f"/sequences/{new_id}/set_current.json", Status.SUCCEEDED, ""),
    ]
    assert _shown(heard) == _shown(report.outcomes)
    assert _requested(sandbox) == [
        "PUT /api/accounts/12345/update.json",
        "POST /sequences.json",
        f"PUT /sequences/{new_id}/set_current.json",
    ]
    registration = report.state.get(f"registration:{new_id}")
    assert registration is not None and registration.applied == {"registered": True}
    assert registration.answer is not None and registration.answer["registered_on_creation"]
    assert registration.answer["validation_codes"]["invoice"] != "N/A"
    default = report.state.get("default_sequence")
    assert default is not None and default.applied == {"id": new_id}
    assert store.load() == report.state
    assert report.state.key_id == plan.key_id


def test_a_call_waiting_for_a_creation_is_made_on_the_id_given(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.json")
    plan = _plan(tmp_path, NEW_SERIE, store.load(), frozenset({CREATION}))
    sandbox = Sandbox(
        api_key=API_KEY, rate_limit=0, quirks=Quirks(sequences_created_unregistered=True)
    )
    sandbox.edit(_with_credentials)
    report, _ = _apply(sandbox, plan, store)

    created = report.state.get("lookup:serie:2027")
    assert created is not None
    new_id = created.applied["id"]
    assert [(o.call.resource, o.call.path, o.status, o.detail) for o in report.outcomes] == [
        (CREATION, "/sequences.json", Status.SUCCEEDED, f"created as sequence {new_id}"),
        (f"registration:{new_id}", f"/sequences/{new_id}/register.json", Status.SUCCEEDED, ""),
        ("default_sequence", f"/sequences/{new_id}/set_current.json", Status.SUCCEEDED, ""),
    ]  # fmt: skip
    # The registration's answer keeps its validation codes.
    registration = report.state.get(f"registration:{new_id}")
    assert registration is not None and registration.answer is not None
    assert list(registration.answer) == ["validation_codes"]
    assert registration.answer["validation_codes"]["invoice"] != "N/A"


def _with_credentials(data: dict[str, Any]) -> None:
    data["account"]["credentials"] = {"username": "999999990/1", "password": "cGFzcw=="}


def test_after_a_refused_api_key_no_other_call_is_attempted(tmp_path: Path) -> None:
    text = "clients:\n" + "".join(
        f"  - id: {n}\n    code: C{n}\n    name: Cliente {n}\n" for n in (1000, 1001, 1002)
    )
    store = StateStore(tmp_path / "state.json")
    plan = _plan(tmp_path, text, store.load(), frozenset())
    sandbox = Sandbox(api_key=API_KEY, data=Fleet(tmp_path, 3).sandbox_data(), rate_limit=0)
    report, heard = _apply(sandbox, plan, store, key="not-the-" + API_KEY)

    statuses = [o.status for o in report.outcomes]
    assert statuses == [Status.FAILED, Status.NOT_ATTEMPTED, Status.NOT_ATTEMPTED]
    assert report.outcomes[0].cause.startswith("HTTP 401")
    for outcome in report.outcomes[1:]:
        assert outcome.detail.startswith("the API refused the API key (HTTP 401"), outcome
        assert outcome.call in plan.calls
    assert _shown(heard) == _shown(report.outcomes)
    assert len(sandbox.requests) == 1
    assert report.state.resources == {}


def test_a_registration_answered_already_registered_counts_as_done(tmp_path: Path) -> None:
    def being_registered(data: dict[str, Any]) -> None:
        [sequence] = [s for s in data["sequences"] if s["id"] == SEQUENCE]
        sequence["registering"] = True

    store = StateStore(tmp_path / "state.json")
    plan = _plan(tmp_path, f"sequences:\n  register: [{SEQUENCE}]\n", store.load(), frozenset())
    sandbox = Sandbox(api_key=API_KEY, rate_limit=0)
    sandbox.edit(being_registered)
    report, _ = _apply(sandbox, plan, store)

    message = "The sequence is already being registered. (code 008)"
    [outcome] = report.outcomes
    assert (outcome.call.resource, outcome.status, outcome.detail) == (
        f"registration:{SEQUENCE}",
        Status.SUCCEEDED,
        f"already registered: {message}",
    )
    record = store.load().get(f"registration:{SEQUENCE}")
    assert record is not None
    assert (record.applied, record.answer) == (
        {"registered": True},
        {"conflict": "008", "message": message},
    )


def test_records_no_longer_declared_are_dropped_with_or_without_calls(tmp_path: Path) -> None:
    at = "2026-01-01T00:00:00+00:00"
    known = (
        KnownState.new()
        .applied("client:1000", Record({"code": "C1000", "name": "Um"}, at), None)
        .applied("client:1001", Record({"code": "C1001", "name": "Dois"}, at), None)
    )
    store = StateStore(tmp_path / "state.json")
    store.save(known)
    quiet = _plan(
        tmp_path, "clients:\n  - id: 1000\n    code: C1000\n    name: Um\n", known, frozenset()
    )
    assert (quiet.calls, quiet.unmanaged) == ((), ("client:1001",))
    forgotten = forget_unmanaged(quiet, known)
    assert (forgotten.outcomes, forgotten.forgotten) == ((), ("client:1001",))
    assert forgotten.state == known.without(["client:1001"])
    assert sorted(forgotten.state.resources) == ["client:1000"]

    # With a call to make, the records no longer declared are dropped from the report's state.
    changed = _plan(
        tmp_path, "clients:\n  - id: 1000\n    code: C1000\n    name: Uno\n", known, frozenset()
    )
    sandbox = Sandbox(api_key=API_KEY, data=Fleet(tmp_path, 2).sandbox_data(), rate_limit=0)
    report, _ = _apply(sandbox, changed, store)
    assert report.forgotten == ("client:1001",)
    assert sorted(report.state.resources) == ["client:1000"]
    assert [o.status for o in report.outcomes] == [Status.SUCCEEDED]
