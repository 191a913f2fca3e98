"""plan --out / apply FILE: exactly the reviewed calls, refused when stale or tampered with."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from tests.gitops.conftest import ACCOUNT_PASSWORD, API_KEY, AT_PASSWORD
from tests.support.cli_env import Env

EXAMPLE_CALLS = [
    ("PUT", "/api/accounts/12345/update.json"),
    ("PUT", "/sequences/146090/register.json"),
    ("PUT", "/sequences/146090/set_current.json"),
    ("PUT", "/clients/42.json"),
    ("PUT", "/clients/43.json"),
]


def _save(env: Env, *args: str, environ: dict[str, str | None] | None = None) -> Path:
    path = env.folder / "plan.json"
    result = env.run("plan", "-f", str(env.desired), "--out", str(path), *args, env=environ)
    assert result.exit_code == 0, result.output
    return path


def _rewrite(path: Path, change: Any, *, fix_checksum: bool) -> None:
    document = json.loads(path.read_text())
    stated = document.pop("checksum")
    change(document)
    if fix_checksum:
        canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        stated = "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
    path.write_text(json.dumps({**document, "checksum": stated}))


def test_a_saved_plan_applies_exactly_its_calls_without_asking(env: Env) -> None:
    path = _save(env)
    result = env.run("apply", str(path))  # off a terminal, yet no --auto-approve needed
    assert result.exit_code == 0, result.output
    assert sorted(env.calls()) == sorted(EXAMPLE_CALLS)
    assert "Apply: 5 succeeded, 0 failed, 0 skipped." in result.stdout
    env.sandbox.clear_requests()
    again = env.run("plan", "-f", str(env.desired), "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_a_saved_plan_holds_no_secret_and_secrets_are_resolved_at_apply_time(env: Env) -> None:
    env.edit("  # password: ${INVOICEXPRESS_ACCOUNT_PASSWORD}", "  password: ${ACCOUNT_PW}")
    path = _save(env, environ={"ACCOUNT_PW": ACCOUNT_PASSWORD})
    text = path.read_text()
    for secret in (AT_PASSWORD, base64.b64encode(AT_PASSWORD.encode()).decode(), API_KEY):
        assert secret not in text
    assert ACCOUNT_PASSWORD not in text
    assert "hmac-sha256" not in text
    document = json.loads(text)
    assert document["desired_sha256"] == hashlib.sha256(env.desired.read_bytes()).hexdigest()
    assert document["lineage"] is None and document["serial"] == 0
    result = env.run("apply", str(path), env={"ACCOUNT_PW": ACCOUNT_PASSWORD})
    assert result.exit_code == 0, result.output
    sent = {r.path: r.body for r in env.sandbox.requests}["/api/accounts/12345/update.json"]
    assert sent["account"]["password"] == ACCOUNT_PASSWORD
    assert (
        sent["account"]["credentials"]["password"]
        == base64.b64encode(AT_PASSWORD.encode()).decode()
    )


def test_a_plan_is_stale_once_the_known_state_changed(env: Env) -> None:
    path = _save(env)
    assert env.run("apply", "-f", str(env.desired), "--auto-approve").exit_code == 0
    env.sandbox.clear_requests()
    result = env.run("apply", str(path))
    assert result.exit_code == 1
    assert "stale plan: the known state changed since the plan was saved" in result.stderr
    assert "reconciler plan --out" in result.stderr
    assert env.calls() == []


def test_a_plan_is_stale_once_the_known_state_moved_on_from_an_earlier_apply(env: Env) -> None:
    assert env.run("apply", "-f", str(env.desired), "--auto-approve").exit_code == 0
    env.edit("city: Porto", "city: Braga")
    path = _save(env)
    serial = json.loads(path.read_text())["serial"]
    assert serial == 5
    env.edit("city: Braga", "city: Faro")
    assert env.run("apply", "-f", str(env.desired), "--auto-approve").exit_code == 0
    env.edit("city: Faro", "city: Braga")  # the desired file is back as it was planned
    env.sandbox.clear_requests()
    result = env.run("apply", str(path))
    assert result.exit_code == 1
    assert "serial 5 then" in result.stderr and "serial 6 now" in result.stderr
    assert env.calls() == []


def test_a_plan_is_stale_once_the_desired_file_changed(env: Env) -> None:
    path = _save(env)
    env.edit("city: Porto", "city: Braga")
    result = env.run("apply", str(path))
    assert result.exit_code == 1
    assert "stale plan: " in result.stderr
    assert "state.yaml changed since the plan was saved" in result.stderr
    assert env.calls() == []


def test_a_plan_is_stale_when_the_environment_changes_the_calls(env: Env) -> None:
    env.edit("city: Porto", "city: ${RECONCILER_VAR_CITY}")
    path = _save(env, environ={"RECONCILER_VAR_CITY": "Porto"})
    result = env.run("apply", str(path), env={"RECONCILER_VAR_CITY": "Braga"})
    assert result.exit_code == 1
    assert "PUT /clients/43.json now sends a different body" in result.stderr
    assert env.calls() == []


def test_a_tampered_plan_is_refused(env: Env) -> None:
    path = _save(env)

    def retarget(document: dict[str, Any]) -> None:
        document["plan"]["calls"][3]["path"] = "/clients/44.json"

    _rewrite(path, retarget, fix_checksum=False)
    result = env.run("apply", str(path))
    assert result.exit_code == 1
    assert "checksum mismatch" in result.stderr
    assert env.calls() == []


def test_a_plan_whose_checksum_was_removed_is_refused(env: Env) -> None:
    path = _save(env)
    document = json.loads(path.read_text())
    del document["checksum"]
    document["plan"]["calls"][3]["path"] = "/clients/44.json"
    path.write_text(json.dumps(document))
    result = env.run("apply", str(path))
    assert result.exit_code == 1
    assert "checksum mismatch" in result.stderr
    assert env.calls() == []


def test_a_rewritten_plan_with_a_fixed_checksum_still_cannot_widen_what_runs(env: Env) -> None:
    path = _save(env)

    def add_call(document: dict[str, Any]) -> None:
        extra = dict(document["plan"]["calls"][3], path="/clients/44.json")
        document["plan"]["calls"].append(extra)

    _rewrite(path, add_call, fix_checksum=True)
    result = env.run("apply", str(path))
    assert result.exit_code == 1
    assert "6 saved, 5 now; gone: PUT /clients/44.json" in result.stderr
    assert env.calls() == []


def test_a_saved_plan_refuses_flags_it_already_carries(env: Env) -> None:
    path = _save(env)
    result = env.run("apply", str(path), "-f", str(env.desired))
    assert result.exit_code == 1
    assert "drop --file" in result.stderr
    assert env.calls() == []


def test_a_desired_file_given_as_a_plan_is_refused(env: Env) -> None:
    result = env.run("apply", str(env.desired))
    assert result.exit_code == 1
    assert "not a saved plan (not JSON); to apply a desired-state file use -f FILE" in result.stderr


def test_a_targeted_saved_plan_applies_only_its_targets(env: Env) -> None:
    path = _save(env, "--target", "client:43")
    result = env.run("apply", str(path))
    assert result.exit_code == 0, result.output
    assert env.calls() == [("PUT", "/clients/43.json")]


def test_an_empty_saved_plan_applies_nothing(env: Env) -> None:
    assert env.run("apply", "-f", str(env.desired), "--auto-approve").exit_code == 0
    path = _save(env)
    env.sandbox.clear_requests()
    result = env.run("apply", str(path))
    assert result.exit_code == 0, result.output
    assert "No changes." in result.stdout
    assert env.calls() == []


def test_a_missing_plan_file_is_an_input_error(env: Env) -> None:
    result = env.run("apply", str(env.folder / "nowhere.json"))
    assert result.exit_code == 1
    assert "cannot read the saved plan" in result.stderr
