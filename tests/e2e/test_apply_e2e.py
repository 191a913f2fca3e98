"""plan and apply end to end, over real HTTP against the sandbox."""

from __future__ import annotations

import json

from tests.support.cli_env import Env

EXAMPLE_CALLS = [
    ("PUT", "/api/accounts/12345/update.json"),
    ("PUT", "/sequences/146090/register.json"),
    ("PUT", "/sequences/146090/set_current.json"),
    ("PUT", "/clients/42.json"),
    ("PUT", "/clients/43.json"),
]


def test_first_apply_makes_exactly_the_planned_puts(e2e: Env) -> None:
    result = e2e.run("apply", "-f", str(e2e.desired), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert sorted(e2e.calls()) == sorted(EXAMPLE_CALLS)
    # Dependencies: account (credentials) before registration before set_current.
    paths = [path for _, path in e2e.calls()]
    assert paths.index("/api/accounts/12345/update.json") < paths.index(
        "/sequences/146090/register.json"
    )
    assert paths.index("/sequences/146090/register.json") < paths.index(
        "/sequences/146090/set_current.json"
    )
    bodies = {r.path: r.body for r in e2e.sandbox.requests}
    account = bodies["/api/accounts/12345/update.json"]["account"]
    assert account["credentials"] == {
        "username": "999999990/1",
        "password": "YXQtc2VjcmV0LTE=",  # base64("at-secret-1")
        "type": "AT",
        "context": "Sequences",
    }
    assert account["postal_code"] == "1500-555"
    assert account["tax_country"] == "1"
    client = bodies["/clients/42.json"]["client"]
    assert client["send_options"] == "2"
    assert client["preferred_contact"]["phone"] == "213456780"
    assert bodies["/clients/43.json"] == {
        "client": {
            "code": "C-0043",
            "name": "Cliente Exemplo, S.A.",
            "email": "financeiro@exemplo.pt",
            "country": "Portugal",
            "city": "Porto",
            "postal_code": "4000-001",
        }
    }
    data = e2e.sandbox.snapshot()
    assert "Apply: 5 succeeded, 0 failed, 0 skipped." in result.output
    assert data is not None


def test_second_plan_is_empty_and_second_apply_makes_no_call(e2e: Env) -> None:
    assert e2e.run("apply", "-f", str(e2e.desired), "--auto-approve").exit_code == 0
    e2e.sandbox.clear_requests()
    plan = e2e.run("plan", "-f", str(e2e.desired), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "No changes." in plan.output
    again = e2e.run("apply", "-f", str(e2e.desired), "--auto-approve")
    assert again.exit_code == 0
    assert e2e.calls() == []


def test_changing_one_client_field_makes_exactly_one_put(e2e: Env) -> None:
    assert e2e.run("apply", "-f", str(e2e.desired), "--auto-approve").exit_code == 0
    e2e.sandbox.clear_requests()
    text = e2e.desired.read_text().replace("city: Porto", "city: Braga")
    e2e.desired.write_text(text)
    plan = e2e.run("plan", "-f", str(e2e.desired), "--detailed-exitcode")
    assert plan.exit_code == 2
    assert 'city: "Porto" → "Braga"' in plan.output
    assert "Plan: 1 call (1 update client)" in plan.output
    assert e2e.run("apply", "-f", str(e2e.desired), "--auto-approve").exit_code == 0
    assert e2e.calls() == [("PUT", "/clients/43.json")]
    assert e2e.sandbox.requests[0].body["client"]["city"] == "Braga"


def test_a_failing_call_leaves_the_state_holding_every_success(e2e: Env) -> None:
    # Client 43 takes the name of client 44, which the API refuses (422).
    text = e2e.desired.read_text().replace("name: Cliente Exemplo, S.A.", "name: Old Customer Ltd")
    e2e.desired.write_text(text)
    result = e2e.run("apply", "-f", str(e2e.desired), "--auto-approve")
    assert result.exit_code == 3
    assert "failed: update client 43" in result.output
    assert "Name has already been taken" in result.output
    assert "Apply: 4 succeeded, 1 failed, 0 skipped." in result.output
    recorded = json.loads(e2e.state_file.read_text())["resources"]
    assert set(recorded) == {
        "account:12345",
        "registration:146090",
        "default_sequence",
        "client:42",
    }
    plan = e2e.run("plan", "-f", str(e2e.desired))
    assert "Plan: 1 call (1 update client)" in plan.output
    assert "update client 43" in plan.output


def test_dependents_of_a_failed_call_are_skipped_and_say_why(e2e: Env) -> None:
    # The account's VAT number is set on the server and can't be changed: its update fails,
    # and the registration (which needs the AT credentials it carries) can't go ahead.
    text = e2e.desired.read_text().replace('fiscal_id: "999999990"', 'fiscal_id: "500000000"')
    e2e.desired.write_text(text)
    result = e2e.run("apply", "-f", str(e2e.desired), "--auto-approve")
    assert result.exit_code == 3, result.output
    assert "failed: update account 12345" in result.output
    assert "Vat Number" in result.output
    assert "skipped: register sequence 146090: needs account:12345" in result.output
    assert "skipped: set default sequence 146090: needs registration:146090" in result.output


def test_registration_answered_already_registered_counts_as_converged(e2e: Env) -> None:
    text = e2e.desired.read_text().replace("register: [146090]", "register: [146090, 146110]")
    e2e.desired.write_text(text)
    result = e2e.run("apply", "-f", str(e2e.desired), "--auto-approve")
    assert result.exit_code == 0, result.output
    recorded = json.loads(e2e.state_file.read_text())["resources"]
    assert recorded["registration:146110"]["answer"]["conflict"] == "005"
    assert recorded["registration:146090"]["answer"]["validation_codes"]["invoice"] != "N/D"
    e2e.sandbox.clear_requests()
    assert e2e.run("apply", "-f", str(e2e.desired), "--auto-approve").exit_code == 0
    assert e2e.calls() == []


def test_secret_change_is_detected_without_storing_the_secret(e2e: Env) -> None:
    assert e2e.run("apply", "-f", str(e2e.desired), "--auto-approve").exit_code == 0
    state_text = e2e.state_file.read_text()
    assert "at-secret-1" not in state_text
    assert "YXQtc2VjcmV0LTE" not in state_text
    plan = e2e.run("plan", "-f", str(e2e.desired), env={"AT_PASSWORD": "at-secret-2"})
    assert "credentials.password: (sensitive)" in plan.output
    assert "at-secret-2" not in plan.output
    assert "Plan: 1 call (1 update account)" in plan.output


def test_show_requests_prints_paths_and_bodies_with_secrets_redacted(e2e: Env) -> None:
    result = e2e.run("plan", "-f", str(e2e.desired), "--show-requests")
    assert "PUT /clients/42.json?api_key=(sensitive)" in result.output
    assert '"password": "(sensitive)"' in result.output
    assert "at-secret-1" not in result.output
    assert "YXQtc2VjcmV0LTE" not in result.output
    assert "e2e-test-key" not in result.output


def test_apply_off_a_terminal_requires_auto_approve(e2e: Env) -> None:
    result = e2e.run("apply", "-f", str(e2e.desired))
    assert result.exit_code == 1
    assert "--auto-approve" in result.output
    assert e2e.calls() == []
