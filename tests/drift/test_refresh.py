"""Refresh and drift: hand edits on the live account show as drift, and plan brings them back."""

from __future__ import annotations

import json
from typing import Any

from tests.drift.conftest import applied, write
from tests.support.cli_env import Env


def _client(data: dict[str, Any], client_id: int) -> dict[str, Any]:
    return next(c for c in data["clients"] if c["id"] == client_id)


def test_hand_edit_shows_as_drift_and_exits_2(env: Env) -> None:
    applied(env)
    env.sandbox.edit(lambda data: _client(data, 43).update(city="Braga"))
    result = env.run("plan", "-f", str(env.desired), "--refresh", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    assert "Drift: the live account differs from what was last applied" in result.output
    assert 'city: "Porto" → "Braga"  (applied → live)' in result.output
    # The plan proposes the call that brings the live account back.
    assert 'city: "Braga" → "Porto"' in result.output
    assert "Plan: 1 call (1 update client)" in result.output
    assert env.run("apply", "-f", str(env.desired), "--auto-approve").exit_code == 0
    assert _client(env.sandbox.snapshot(), 43)["city"] == "Porto"
    again = env.run("plan", "-f", str(env.desired), "--refresh", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "no drift" in again.output and "No changes." in again.output


def test_refresh_reads_only_and_logs_drift(env: Env) -> None:
    applied(env)
    env.sandbox.edit(lambda data: data["account"].update(city="Porto"))
    result = env.run("refresh", "-f", str(env.desired), "--detailed-exitcode", "--auto-approve")
    assert result.exit_code == 2, result.output
    assert "account:12345" in result.output and 'city: "Lisbon" → "Porto"' in result.output
    assert all(method == "GET" for method, _ in env.calls())
    log = env.state_file.with_name(env.state_file.name + ".drift.jsonl")
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert entries[0]["resource"] == "account:12345"
    assert entries[0]["changes"] == [{"field": "city", "applied": "Lisbon", "live": "Porto"}]
    # Folded: the drift is not reported twice, and the plan now wants to put it back.
    assert env.run("refresh", "-f", str(env.desired), "--detailed-exitcode").exit_code == 0
    plan = env.run("plan", "-f", str(env.desired))
    assert 'city: "Porto" → "Lisbon"' in plan.output


def test_secrets_are_not_drift_and_say_so(env: Env) -> None:
    applied(env)
    result = env.run("refresh", "-f", str(env.desired), "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "secrets can't be read back (account.credentials.password)" in result.output
    assert "at-secret-1" not in result.output
    assert "at-secret-1" not in env.state_file.read_text()


def test_registration_lost_on_the_live_account_is_drift_and_is_planned_again(env: Env) -> None:
    applied(env)

    def unregister(data: dict[str, Any]) -> None:
        sequence = next(s for s in data["sequences"] if s["id"] == 146090)
        for key, value in sequence.items():
            if key.endswith("_validation_code") and value != "N/A":
                sequence[key] = "N/D"

    env.sandbox.edit(unregister)
    result = env.run("plan", "-f", str(env.desired), "--refresh", "--detailed-exitcode")
    assert result.exit_code == 2
    assert "registration:146090" in result.output and "registered: True → False" in result.output
    assert "register sequence 146090" in result.output


def test_live_state_is_recorded_for_resources_never_applied(env: Env) -> None:
    # Sequence 146110 is registered and the default on the live account; client 44 is
    # declared exactly as the live account has it. None of it needs a call.
    write(
        env,
        "sequences:\n  default: 146110\n  register: [146110]\n"
        "clients:\n  - id: 44\n    code: C-0044\n    name: Old Customer Ltd\n    country: UK\n"
        "    email: ACCOUNTS@oldcustomer.example\n",
    )
    result = env.run("plan", "-f", str(env.desired), "--refresh", "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "3 recorded from the live account" in result.output
    assert "No changes." in result.output
    recorded = json.loads(env.state_file.read_text())["resources"]
    assert recorded["registration:146110"]["answer"]["validation_codes"]["invoice"] != "N/D"
    assert recorded["default_sequence"]["applied"] == {"id": 146110}


def test_default_sequence_changed_by_hand_is_drift(env: Env) -> None:
    applied(env)

    def other_default(data: dict[str, Any]) -> None:
        for sequence in data["sequences"]:
            sequence["default_sequence"] = 1 if sequence["id"] == 146110 else 0

    env.sandbox.edit(other_default)
    result = env.run("plan", "-f", str(env.desired), "--refresh", "--detailed-exitcode")
    assert result.exit_code == 2
    assert "default_sequence" in result.output and "id: 146090 → 146110" in result.output
    assert "set default sequence 146090" in result.output


def test_client_deleted_by_hand_is_reported_gone(env: Env) -> None:
    applied(env)
    env.sandbox.edit(lambda data: data["clients"].remove(_client(data, 43)))
    result = env.run("refresh", "-f", str(env.desired), "--detailed-exitcode")
    assert result.exit_code == 2
    assert "client:43  (not found on the live account)" in result.output
