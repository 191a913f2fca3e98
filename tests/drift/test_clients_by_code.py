"""Clients declared without id: adopted by code, created when allowed, an error otherwise."""

from __future__ import annotations

import json

import jsonschema
import pytest
from pydantic import SecretStr

from reconciler.api.api_client import ApiClient
from reconciler.core.known import KnownState
from reconciler.core.plan import build_plan
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import Desired
from reconciler.desired.loader import SourceMap
from reconciler.desired.models import Client, DesiredState
from reconciler.errors import ApiError
from reconciler.sandbox import Faults, Sandbox
from reconciler.settings import ToolSettings
from reconciler.workflows.create_missing import send
from tests.drift.conftest import write
from tests.support.cli_env import API_KEY, ROOT, Env

ADOPT = "clients:\n  - code: C-0044\n    name: Old Customer Ltd\n    city: Leeds\n"
NEW = "clients:\n  - code: C-0100\n    name: New Client, Lda\n    city: Faro\n"


def _recorded(env: Env) -> dict[str, dict[str, object]]:
    resources: dict[str, dict[str, object]] = json.loads(env.state_file.read_text())["resources"]
    return resources


def test_existing_code_is_adopted_and_its_id_recorded(env: Env) -> None:
    write(env, ADOPT)
    plan = env.run("plan", "-f", str(env.desired))
    assert plan.exit_code == 0, plan.output
    assert "client 'C-0044' found on the live account: adopted as 44" in plan.output
    assert "update client 44" in plan.output
    applied = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert ("PUT", "/clients/44.json") in env.calls()
    assert _recorded(env)["client:44"]["applied"] == {
        "code": "C-0044",
        "name": "Old Customer Ltd",
        "city": "Leeds",
    }
    env.sandbox.clear_requests()
    again = env.run("plan", "-f", str(env.desired), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert env.calls() == []  # resolved from the known state: no look-up needed


def test_unknown_code_without_permission_is_an_error_at_the_code(env: Env) -> None:
    write(env, NEW)
    result = env.run("plan", "-f", str(env.desired))
    assert result.exit_code == 1
    assert "state.yaml:2:11: clients[0].code: no client has code 'C-0100'" in result.output
    assert "--create-missing" in result.output
    assert not any(method == "POST" for method, _ in env.calls())


def test_unknown_code_is_created_with_the_flag_and_its_id_recorded(env: Env) -> None:
    write(env, NEW)
    plan = env.run("plan", "-f", str(env.desired), "--create-missing")
    assert "client 'C-0100' is not on the live account: it will be created" in plan.output
    assert "+ create client 'C-0100'  (no client has this code)" in plan.output
    result = env.run("apply", "-f", str(env.desired), "--auto-approve", "--create-missing")
    assert result.exit_code == 0, result.output
    posts = [r for r in env.sandbox.requests if r.method == "POST"]
    assert [r.body for r in posts] == [
        {"client": {"code": "C-0100", "name": "New Client, Lda", "city": "Faro"}}
    ]
    created = [c for c in env.sandbox.snapshot()["clients"] if c["code"] == "C-0100"]
    assert len(created) == 1
    assert f"client:{created[0]['id']}" in _recorded(env)
    env.sandbox.clear_requests()
    again = env.run("plan", "-f", str(env.desired), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert env.calls() == []


def test_file_setting_allows_creation(env: Env) -> None:
    write(env, "options:\n  create_missing_clients: true\n" + NEW)
    result = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "Apply: 1 succeeded" in result.output
    assert any(c["code"] == "C-0100" for c in env.sandbox.snapshot()["clients"])


def test_lost_answer_to_the_post_is_resolved_by_code_not_sent_again(env: Env) -> None:
    write(env, NEW)
    env.sandbox.faults = Faults(lost_rate=1.0)  # the client is created, the answer lost
    result = env.run("apply", "-f", str(env.desired), "--auto-approve", "--create-missing")
    assert result.exit_code == 0, result.output
    env.sandbox.faults = Faults()
    methods = [(r.method, r.path) for r in env.sandbox.requests]
    assert methods.count(("POST", "/clients.json")) == 1
    assert ("GET", "/clients/find-by-code.json") in methods
    created = [c for c in env.sandbox.snapshot()["clients"] if c["code"] == "C-0100"]
    assert len(created) == 1
    assert f"client:{created[0]['id']}" in _recorded(env)


async def test_server_error_on_the_post_is_looked_up_never_resent_blindly() -> None:
    sandbox = Sandbox(api_key=API_KEY, rate_limit=0, faults=Faults(error_rate=1.0))
    client = Client(code="C-0100", name="New Client, Lda")
    desired = Desired("state.yaml", DesiredState(clients=(client,)), SourceMap())
    plan = build_plan(desired, KnownState.new(), DigestKey("k"), creatable=frozenset({"C-0100"}))
    tool = ToolSettings(rate_limit=0, retry_budget=0)
    async with sandbox.running() as base_url, ApiClient(base_url, SecretStr(API_KEY), tool) as api:
        with pytest.raises(ApiError):
            await send(api, plan.calls[0])
    methods = [r.method for r in sandbox.requests]
    assert methods == ["POST", "GET"]  # looked up by code after the 500, then gave up
    assert not any(c["code"] == "C-0100" for c in sandbox.snapshot()["clients"])


def test_code_resolving_to_an_id_declared_elsewhere_is_an_error(env: Env) -> None:
    write(
        env,
        "clients:\n  - id: 44\n    code: C-0044\n    name: Old Customer Ltd\n"
        "  - code: C-0044\n    name: Someone Else\n",
    )
    result = env.run("plan", "-f", str(env.desired))
    assert result.exit_code == 1
    # The repeated code is caught by the file's own checks before any look-up.
    assert "clients[1].code: client code 'C-0044' is listed more than once" in result.output


def test_json_plan_with_a_creation_follows_the_plan_schema(env: Env) -> None:
    schema = json.loads((ROOT / "schema" / "plan.schema.json").read_text())
    write(env, ADOPT + NEW.removeprefix("clients:\n"))
    result = env.run("plan", "-f", str(env.desired), "--create-missing", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    jsonschema.validate(document, schema)
    created = next(c for c in document["calls"] if c["method"] == "POST")
    assert created["resource"] == "new-client:C-0100" and created["action"] == "create client"
    # What the look-ups found goes to stderr, keeping stdout JSON.
    assert "adopted as 44" in result.stderr


def test_a_saved_plan_that_creates_a_client_applies_as_reviewed(env: Env) -> None:
    write(env, NEW)
    saved = env.folder / "plan.json"
    plan = env.run("plan", "-f", str(env.desired), "--create-missing", "--out", str(saved))
    assert plan.exit_code == 0, plan.output
    result = env.run("apply", str(saved))
    assert result.exit_code == 0, result.output
    assert sum(1 for r in env.sandbox.requests if r.method == "POST") == 1
    assert any(c["code"] == "C-0100" for c in env.sandbox.snapshot()["clients"])
