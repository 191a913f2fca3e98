"""--format json of apply, refresh and validate: one versioned document each, checked against
its JSON Schema in schema/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.gitops.conftest import API_KEY, AT_PASSWORD
from tests.support.cli_env import Env
from tests.support.schemas import checked_schema


def _document(name: str, stdout: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(stdout)
    jsonschema.validate(document, checked_schema(name))
    assert (document["kind"], document["format_version"]) == (name, 1)
    return document


def _client(data: dict[str, Any], client_id: int) -> dict[str, Any]:
    return next(c for c in data["clients"] if c["id"] == client_id)


def test_apply_json_reports_every_outcome_and_keeps_the_plan_on_stderr(env: Env) -> None:
    result = env.run("apply", "-f", str(env.desired), "--auto-approve", "--format", "json")
    assert result.exit_code == 0, result.output
    document = _document("apply", result.stdout)
    assert [o["status"] for o in document["outcomes"]] == ["succeeded"] * 5
    assert {o["resource"] for o in document["outcomes"]} == {
        "account:12345",
        "registration:146090",
        "default_sequence",
        "client:42",
        "client:43",
    }
    assert document["summary"] == {
        "ok": True,
        "calls": 5,
        "succeeded": 5,
        "failed": 0,
        "skipped": 0,
        "not_attempted": 0,
        "forgotten": 0,
    }
    assert document["verification"] is None
    assert "update client 42" in result.stderr  # the plan, for the log
    for secret in (AT_PASSWORD, API_KEY):
        assert secret not in result.output


def test_apply_json_of_a_failure_says_so_and_exits_3(env: Env) -> None:
    env.edit("name: Cliente Exemplo, S.A.", "name: Old Customer Ltd")  # taken: HTTP 422
    result = env.run("apply", "-f", str(env.desired), "--auto-approve", "--format", "json")
    assert result.exit_code == 3
    document = _document("apply", result.stdout)
    failed = [o for o in document["outcomes"] if o["status"] == "failed"]
    assert [o["resource"] for o in failed] == ["client:43"]
    assert "HTTP 422" in failed[0]["detail"]
    assert document["summary"]["ok"] is False


def test_apply_json_with_verify_carries_the_read_back(env: Env) -> None:
    result = env.run(
        "apply", "-f", str(env.desired), "--auto-approve", "--verify", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    verification = _document("apply", result.stdout)["verification"]
    assert verification["checked"] == 5 and verification["not_converged"] == []


def test_apply_json_with_nothing_to_do_is_an_empty_report(env: Env) -> None:
    assert env.run("apply", "-f", str(env.desired), "--auto-approve").exit_code == 0
    result = env.run("apply", "-f", str(env.desired), "--auto-approve", "--format", "json")
    assert result.exit_code == 0, result.output
    document = _document("apply", result.stdout)
    assert document["outcomes"] == [] and document["summary"]["ok"] is True


def test_apply_json_never_asks(env: Env) -> None:
    result = env.run("apply", "-f", str(env.desired), "--format", "json")
    assert result.exit_code == 1
    assert "--format json needs --auto-approve" in result.stderr
    assert env.calls() == []


def test_refresh_json_reports_drift(env: Env) -> None:
    assert env.run("apply", "-f", str(env.desired), "--auto-approve").exit_code == 0
    env.sandbox.edit(lambda data: _client(data, 43).update(city="Braga"))
    result = env.run("refresh", "-f", str(env.desired), "--format", "json", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    document = _document("refresh", result.stdout)
    assert document["drift"] == [
        {
            "resource": "client:43",
            "gone": False,
            "changes": [{"path": "city", "applied": "Porto", "live": "Braga"}],
        }
    ]
    assert document["unchecked_secrets"] == ["account.credentials.password"]
    assert document["summary"]["drifted"] == 1
    assert AT_PASSWORD not in result.output


def test_validate_json_of_valid_and_invalid_files(env: Env, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("account:\n  id: 1\n  postal_code: 12\nclients: []\n")
    result = env.run("validate", str(env.desired), str(bad), "--format", "json")
    assert result.exit_code == 1
    document = _document("validate", result.stdout)
    assert document["valid"] is False
    good, wrong = document["files"]
    assert good == {
        "path": str(env.desired),
        "valid": True,
        "unset_env": False,
        "declares": {"account": True, "clients": 2, "sequences_to_register": 1},
    }
    assert (wrong["valid"], wrong["declares"]) == (False, None)
    assert document["problems"]
    assert all(p["file"] == str(bad) and p["line"] >= 1 for p in document["problems"])
    assert "problem" in result.stderr  # the human message still goes to stderr


def test_validate_json_lets_unset_variables_pass_when_asked(env: Env) -> None:
    env.edit("${AT_PASSWORD:-sandbox-pass}", "${AT_PASSWORD}")
    refused = env.run("validate", str(env.desired), "--format", "json", env={"AT_PASSWORD": None})
    assert refused.exit_code == 1
    problems = _document("validate", refused.stdout)["problems"]
    assert "AT_PASSWORD is not set" in problems[0]["message"]
    result = env.run(
        "validate",
        str(env.desired),
        "--format",
        "json",
        "--allow-unset-env",
        env={"AT_PASSWORD": None},
    )
    assert result.exit_code == 0, result.output
    document = _document("validate", result.stdout)
    assert document["valid"] is True
    assert document["files"][0]["unset_env"] is True


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("apply", {"format_version": 1, "kind": "apply", "outcomes": [], "summary": {}}),
        ("refresh", {"format_version": 2, "kind": "refresh"}),
        ("validate", {"format_version": 1, "kind": "validate", "valid": "yes"}),
    ],
)
def test_each_schema_rejects_a_document_that_breaks_it(name: str, bad: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(checked_schema(name))
    assert [error.message for error in validator.iter_errors(bad)]
