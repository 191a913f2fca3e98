"""Import: a file from the live account whose plan is empty; in place, comments survive."""

from __future__ import annotations

import json
import shutil
from typing import Any

from tests.drift.conftest import applied, write
from tests.support.cli_env import ROOT, Env


def _import(env: Env, *extra: str, environ: dict[str, str] | None = None) -> str:
    result = env.run("import", "-f", str(env.desired), *extra, env=environ)
    assert result.exit_code == 0, result.output
    return result.output


def test_import_of_the_demo_account_gives_an_empty_plan(env: Env) -> None:
    env.desired.unlink()
    _import(env, "--account-id", "12345")
    text = env.desired.read_text()
    assert "organization_name: Sandbox Demo, Lda" in text
    assert "default: 146110" in text and "register: [146110]" in text
    assert text.count("  - id: ") == 3
    assert all(method == "GET" for method, _ in env.calls())
    env.sandbox.clear_requests()
    plan = env.run("plan", "-f", str(env.desired), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "No changes." in plan.output
    assert env.calls() == []
    refreshed = env.run("plan", "-f", str(env.desired), "--refresh", "--detailed-exitcode")
    assert refreshed.exit_code == 0, refreshed.output


def test_import_never_writes_secrets(env: Env) -> None:
    credentials = {
        "username": "999999990/1",
        "password": "c2VjcmV0LXBhc3M=",  # base64("secret-pass")
        "type": "AT",
        "context": "Sequences",
    }
    env.sandbox.edit(lambda data: data["account"].update(credentials=credentials))
    env.desired.unlink()
    _import(env, "--account-id", "12345")
    text = env.desired.read_text()
    assert "password: ${AT_PASSWORD}" in text and "username: 999999990/1" in text
    for secret in ("secret-pass", "c2VjcmV0LXBhc3M"):
        assert secret not in text and secret not in env.state_file.read_text()
    # The password can't be read back: it is applied once, then the plan is empty.
    plan = env.run("plan", "-f", str(env.desired))
    assert "Plan: 1 call (1 update account)" in plan.output
    assert "credentials.password: (sensitive)" in plan.output


def test_reimport_into_a_commented_file_keeps_comments_and_updates_values(env: Env) -> None:
    applied(env)
    original = env.desired.read_text()

    def hand_edits(data: dict[str, Any]) -> None:
        next(c for c in data["clients"] if c["id"] == 43).update(city="Braga")
        data["account"]["phone"] = "219999999"

    env.sandbox.edit(hand_edits)
    output = _import(env)
    text = env.desired.read_text()
    comments = [line.split("#", 1)[1] for line in original.splitlines() if "#" in line]
    for comment in comments:
        assert comment in text
    assert "    city: Braga" in text
    assert 'phone: "219999999"' in text  # the quoting style of the value replaced
    assert "password: ${AT_PASSWORD:-sandbox-pass}" in text  # secrets left as written
    assert "code: C-0044" in text  # the client the file lacked, appended
    # 146110 is registered on the live account: it joins the list, in the list's style.
    assert "register: [146090, 146110]" in text
    assert "3 fields updated" in output and "1 added" in output
    # Only the changed lines differ, plus the appended client.
    before, after = original.splitlines(), text.splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b]
    assert len(changed) == 3
    plan = env.run("plan", "-f", str(env.desired), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output


def test_reimport_matches_clients_by_code_and_keeps_references(env: Env) -> None:
    write(
        env,
        "# my clients\nclients:\n  - code: C-0043  # by code\n    name: Cliente Exemplo, S.A.\n"
        "    city: ${RECONCILER_VAR_CITY}\n    email: old@exemplo.pt\n",
    )
    output = _import(env, "--account-id", "12345", environ={"RECONCILER_VAR_CITY": "Lisboa"})
    text = env.desired.read_text()
    assert text.startswith("# my clients\nclients:\n  - code: C-0043  # by code\n")
    assert "    email: geral@exemplo.pt\n" in text
    assert "    city: ${RECONCILER_VAR_CITY}\n" in text
    assert "clients[0].city is written as a reference; the live value is 'Porto'" in output
    recorded = json.loads(env.state_file.read_text())["resources"]
    assert recorded["client:43"]["applied"]["code"] == "C-0043"


def test_import_into_an_invalid_file_changes_nothing(env: Env) -> None:
    shutil.copy(ROOT / "tests" / "input" / "cases" / "five_problems.yaml", env.desired)
    before = env.desired.read_text()
    result = env.run("import", "-f", str(env.desired), "--account-id", "12345")
    assert result.exit_code == 1
    assert "4 problems found" in result.output  # AT_PASSWORD is set here
    assert env.desired.read_text() == before
    assert env.calls() == []
