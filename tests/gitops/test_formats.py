"""plan --format json|markdown|text over the sandbox: schema-valid JSON, capped Markdown."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import jsonschema

from reconciler.render.markdown import LIMIT
from tests.gitops.conftest import ACCOUNT_PASSWORD, API_KEY, AT_PASSWORD
from tests.support.cli_env import Env, clients_yaml

SECRETS = (
    AT_PASSWORD,
    base64.b64encode(AT_PASSWORD.encode()).decode(),
    API_KEY,
    ACCOUNT_PASSWORD,
)


def _json_plan(env: Env, environ: dict[str, str | None] | None = None) -> dict[str, Any]:
    result = env.run("plan", "-f", str(env.desired), "--format", "json", env=environ)
    assert result.exit_code in (0, 2), result.output
    document: dict[str, Any] = json.loads(result.stdout)  # stdout holds the JSON and nothing else
    return document


def test_json_plan_is_valid_against_the_schema_and_holds_no_secret(
    env: Env, plan_schema: dict[str, Any]
) -> None:
    env.edit("  # password: ${INVOICEXPRESS_ACCOUNT_PASSWORD}", "  password: ${ACCOUNT_PW}")
    document = _json_plan(env, {"ACCOUNT_PW": ACCOUNT_PASSWORD})
    jsonschema.validate(document, plan_schema)
    text = json.dumps(document)
    assert not [secret for secret in SECRETS if secret in text]
    assert [c["path"] for c in document["calls"]] == [
        "/api/accounts/12345/update.json",
        "/sequences/146090/register.json",
        "/sequences/146090/set_current.json",
        "/clients/42.json",
        "/clients/43.json",
    ]
    account = document["calls"][0]
    assert account["body"]["account"]["password"] == "(sensitive)"
    assert account["body"]["account"]["credentials"]["password"] == "(sensitive)"
    password = next(c for c in account["changes"] if c["path"] == "credentials.password")
    assert password == {
        "path": "credentials.password",
        "before": "(sensitive)",
        "after": "(sensitive)",
        "sensitive": True,
    }
    assert document["calls"][2]["depends_on"] == ["registration:146090"]
    assert document["summary"] == {
        "changes_pending": True,
        "calls": 5,
        "by_action": {
            "update account": 1,
            "register sequence": 1,
            "set default sequence": 1,
            "update client": 2,
        },
        "in_sync": 0,
        "unmanaged": 0,
    }


def test_json_plan_shows_field_level_before_and_after(
    env: Env, plan_schema: dict[str, Any]
) -> None:
    assert env.run("apply", "-f", str(env.desired), "--auto-approve").exit_code == 0
    env.edit("city: Porto", "city: Braga")
    document = _json_plan(env, {"AT_PASSWORD": "SENTINEL-at2"})
    jsonschema.validate(document, plan_schema)
    by_path = {c["path"]: c for c in document["calls"]}
    assert by_path["/clients/43.json"]["changes"] == [
        {"path": "city", "before": "Porto", "after": "Braga", "sensitive": False}
    ]
    assert by_path["/clients/43.json"]["reason"] == "changed since last apply"
    # The changed AT password is a change, shown without either value or digest.
    account = by_path["/api/accounts/12345/update.json"]
    assert [c["path"] for c in account["changes"]] == ["credentials.password"]
    assert "hmac-sha256" not in json.dumps(document)
    assert "SENTINEL-at2" not in json.dumps(document)
    assert document["summary"]["in_sync"] == 3


def test_json_plan_with_no_changes(env: Env, plan_schema: dict[str, Any]) -> None:
    assert env.run("apply", "-f", str(env.desired), "--auto-approve").exit_code == 0
    document = _json_plan(env)
    jsonschema.validate(document, plan_schema)
    assert document["calls"] == []
    assert document["summary"]["changes_pending"] is False
    assert {item["resource"] for item in document["in_sync"]} == {
        "account:12345",
        "registration:146090",
        "default_sequence",
        "client:42",
        "client:43",
    }


def test_the_schema_rejects_a_document_that_breaks_it(plan_schema: dict[str, Any]) -> None:
    bad = {
        "format_version": 1,
        "known_state": {"lineage": "x", "serial": 0},
        "calls": [],
        "in_sync": [],
        "summary": {"changes_pending": False, "calls": 0, "by_action": {}, "in_sync": 0},
        "extra": True,
    }
    validator = jsonschema.Draft202012Validator(plan_schema)
    assert [e.message for e in validator.iter_errors(bad)]


def test_markdown_plan_puts_the_summary_first_and_details_in_sections(env: Env) -> None:
    result = env.run("plan", "-f", str(env.desired), "--format", "markdown")
    assert result.exit_code == 0, result.output
    text = result.stdout
    first_details = text.index("<details>")
    assert "Plan: 5 calls" in text[:first_details]
    assert "| update client | 2 |" in text[:first_details]
    assert text.count("<details>") == text.count("</details>") == 4
    assert "<summary>update client (2)</summary>" in text
    assert "- registered: false\n+ registered: true" in text
    assert "~ credentials.password: (sensitive)" in text
    assert AT_PASSWORD not in text


def test_markdown_survives_backticks_in_values(env: Env) -> None:
    env.edit("city: Porto", "city: Porto ```` end")
    text = env.run("plan", "-f", str(env.desired), "--format", "markdown").stdout
    assert "`````diff\n+ update client 43" in text


def test_markdown_is_capped_with_thousands_of_clients(tmp_path: Path, env: Env) -> None:
    desired = tmp_path / "many.yaml"
    desired.write_text("clients:\n" + clients_yaml(range(1, 3001)), "utf-8")
    result = env.run("plan", "-f", str(desired), "--format", "markdown")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert len(text) < LIMIT
    shown = text.count("```diff")
    assert 0 < shown < 3000
    cut = re.search(r"\*\*([\d,]+) of 3,000 calls not shown\*\*", text)
    assert cut is not None, text[-500:]
    assert int(cut.group(1).replace(",", "")) == 3000 - shown
    assert text.index("Plan: 3000 calls") < text.index("<details>")
    assert text.count("<details>") == text.count("</details>")
    assert text.rstrip().endswith("to see them all.")


def test_text_format_is_the_default_and_json_logs_stay_off_stdout(env: Env) -> None:
    text = env.run("plan", "-f", str(env.desired), "--format", "text")
    assert text.stdout == env.run("plan", "-f", str(env.desired)).stdout
    assert "+ update client 42  (never applied)" in text.stdout
    verbose = env.run(
        "-v",
        "plan",
        "-f",
        str(env.desired),
        "--format",
        "json",
        "--out",
        str(env.folder / "p.json"),
    )
    json.loads(verbose.stdout)
    assert "Saved the plan" in verbose.stderr


def test_quiet_plan_prints_only_the_summary(env: Env) -> None:
    result = env.run("plan", "-f", str(env.desired), "--quiet")
    assert result.stdout.strip().splitlines() == [
        "Plan: 5 calls (1 update account, 1 register sequence, 1 set default sequence, "
        "2 update client); 0 resources in sync."
    ]
