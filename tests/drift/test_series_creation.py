"""The yearly rollover: a serie named in the file that the account lacks is created when allowed,
registered and made the default, in that order, and created exactly once."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from pydantic import SecretStr

from reconciler.api.api_client import ApiClient
from reconciler.core.kinds.sequence import KIND
from reconciler.core.known import KnownState
from reconciler.core.plan import build_plan
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import Desired
from reconciler.desired.loader import SourceMap
from reconciler.desired.models import DesiredState, Sequences
from reconciler.sandbox import Faults, Quirks, Sandbox
from reconciler.sandbox.demo import demo_data
from reconciler.sandbox.sequences import new_sequence
from reconciler.settings import ToolSettings
from reconciler.workflows.create_missing import send
from tests.drift.conftest import write
from tests.support.cli_env import API_KEY, ROOT, Env

ROLLOVER = 'sequences:\n  default: "2027"\n  register: ["2027"]\n'
ALLOWED = "options:\n  create_missing_series: true\n" + ROLLOVER
WRITES = ("POST", "PUT")


def _seed(env: Env) -> None:
    """An account with AT credentials and the series 2025 (default, registered) and 2026."""

    def edit(data: dict[str, Any]) -> None:
        data["account"]["credentials"] = {"username": "999999990/1", "type": "AT"}
        data["sequences"] = [
            new_sequence(146090, "2025", default=True, registered=True),
            new_sequence(146110, "2026"),
        ]

    env.sandbox.edit(edit)


def _writes(env: Env) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in env.sandbox.requests if r.method in WRITES]


def _serie(env: Env, serie: str) -> list[dict[str, Any]]:
    return [s for s in env.sandbox.snapshot()["sequences"] if s["serie"] == serie]


def _recorded(env: Env) -> dict[str, dict[str, Any]]:
    resources: dict[str, dict[str, Any]] = json.loads(env.state_file.read_text())["resources"]
    return resources


def test_new_serie_is_created_registered_and_made_default_in_one_apply(env: Env) -> None:
    _seed(env)
    write(env, ALLOWED)
    plan = env.run("plan", "-f", str(env.desired))
    assert plan.exit_code == 0, plan.output
    assert "serie '2027' is not on the live account: it will be created" in plan.output
    assert "+ create sequence '2027'  (no sequence has this serie)" in plan.output
    assert "after: new-sequence:2027" in plan.output
    assert not _writes(env)
    result = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert result.exit_code == 0, result.output
    created = _serie(env, "2027")
    assert len(created) == 1
    new_id = created[0]["id"]
    assert _writes(env) == [
        ("POST", "/sequences.json"),
        ("PUT", f"/sequences/{new_id}/set_current.json"),
    ]  # the creation registered it: no register call
    posts = [r.body for r in env.sandbox.requests if r.method == "POST"]
    assert posts == [{"sequence": {"serie": "2027", "default_sequence": "0"}}]
    assert created[0]["default_sequence"] == 1
    recorded = _recorded(env)
    assert recorded["lookup:serie:2027"]["applied"] == {"id": new_id}
    assert recorded[f"registration:{new_id}"]["applied"] == {"registered": True}
    assert recorded["default_sequence"]["applied"] == {"id": new_id}
    env.sandbox.clear_requests()
    again = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert again.exit_code == 0, again.output
    assert env.calls() == []


def test_series_created_unregistered_are_registered_before_made_default(env: Env) -> None:
    _seed(env)
    env.sandbox.quirks = Quirks(sequences_created_unregistered=True)
    write(env, ROLLOVER)
    result = env.run("apply", "-f", str(env.desired), "--auto-approve", "--create-missing")
    assert result.exit_code == 0, result.output
    (created,) = _serie(env, "2027")
    new_id = created["id"]
    assert _writes(env) == [
        ("POST", "/sequences.json"),
        ("PUT", f"/sequences/{new_id}/register.json"),
        ("PUT", f"/sequences/{new_id}/set_current.json"),
    ]
    assert created["default_sequence"] == 1
    env.sandbox.clear_requests()
    again = env.run("plan", "-f", str(env.desired), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert env.calls() == []


def test_missing_serie_without_creation_allowed_is_an_error_and_nothing_is_sent(env: Env) -> None:
    _seed(env)
    write(env, ROLLOVER)
    for command in (["plan"], ["apply", "--auto-approve"]):
        result = env.run(*command, "-f", str(env.desired))
        assert result.exit_code == 1, result.output
        assert (
            "state.yaml:2:12: sequences.default: no sequence has serie '2027' "
            "(the account has 2025, 2026)"
        ) in result.output
        assert "create_missing_series" in result.output
    assert _writes(env) == []
    assert _serie(env, "2027") == []


def test_lost_answer_to_the_post_is_followed_by_a_look_up_not_a_second_post(env: Env) -> None:
    _seed(env)
    write(env, 'options:\n  create_missing_series: true\nsequences:\n  register: ["2027"]\n')
    env.sandbox.faults = Faults(lost_rate=1.0)  # the serie is created, the answer lost
    result = env.run("apply", "-f", str(env.desired), "--auto-approve")
    env.sandbox.faults = Faults()
    assert result.exit_code == 0, result.output
    calls = env.calls()
    assert calls.count(("POST", "/sequences.json")) == 1
    assert calls.index(("POST", "/sequences.json")) < len(calls) - 1
    assert calls[-1] == ("GET", "/sequences.json")  # found in the list after the lost answer
    (created,) = _serie(env, "2027")
    recorded = _recorded(env)
    assert recorded["lookup:serie:2027"]["applied"] == {"id": created["id"]}
    assert recorded[f"registration:{created['id']}"]["applied"] == {"registered": True}


async def test_serie_already_taken_is_looked_up_and_its_id_taken() -> None:
    data = demo_data()
    data["sequences"].append(new_sequence(146150, "2027", registered=True))
    sandbox = Sandbox(api_key=API_KEY, rate_limit=0, data=data)
    sequences = Sequences(default="2027")
    desired = Desired("state.yaml", DesiredState(sequences=sequences), SourceMap())
    creatable = frozenset({KIND.creation_key("2027")})
    plan = build_plan(desired, KnownState.new(), DigestKey("k"), creatable=creatable)
    tool = ToolSettings(rate_limit=0, retry_budget=0)
    async with sandbox.running() as base_url, ApiClient(base_url, SecretStr(API_KEY), tool) as api:
        answer = await send(api, plan.calls[0])
    assert [(r.method, r.path, r.status) for r in sandbox.requests] == [
        ("POST", "/sequences.json", 422),
        ("GET", "/sequences.json", 200),
    ]
    assert answer.body["sequence"]["id"] == 146150
    assert KIND.created_key(plan.calls[0], answer.body) == "lookup:serie:2027"


def test_json_plan_with_a_new_serie_follows_the_plan_schema(env: Env) -> None:
    _seed(env)
    schema = json.loads((ROOT / "schema" / "plan.schema.json").read_text())
    write(env, ALLOWED)
    result = env.run("plan", "-f", str(env.desired), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    jsonschema.validate(document, schema)
    actions = [(c["action"], c["resource"], c["depends_on"]) for c in document["calls"]]
    assert actions == [
        ("create sequence", "new-sequence:2027", []),
        ("register sequence", "registration:{new-sequence:2027}", ["new-sequence:2027"]),
        ("set default sequence", "default_sequence", ["registration:{new-sequence:2027}"]),
    ]


def test_target_sequences_keeps_the_creation(env: Env) -> None:
    _seed(env)
    write(env, ALLOWED)
    for target in ("sequences", "default_sequence"):
        result = env.run("plan", "-f", str(env.desired), "--target", target)
        assert result.exit_code == 0, result.output
        assert "create sequence '2027'" in result.output
        assert "register sequence '2027'" in result.output
        assert "set default sequence '2027'" in result.output
        assert "Plan: 3 calls" in result.output


def test_a_saved_plan_with_a_new_serie_applies_as_reviewed_and_reads_back(env: Env) -> None:
    _seed(env)
    write(env, ALLOWED)
    saved = env.folder / "plan.json"
    markdown = env.run("plan", "-f", str(env.desired), "--format", "markdown")
    assert "+ create sequence '2027' (no sequence has this serie)" in markdown.output
    plan = env.run("plan", "-f", str(env.desired), "--out", str(saved))
    assert plan.exit_code == 0, plan.output
    shown = env.run("show", str(saved))
    assert "create sequence '2027'" in shown.output, shown.output
    result = env.run("apply", str(saved), "--verify")
    assert result.exit_code == 0, result.output
    assert "Verify: 3 calls read back; all converged." in result.output
    assert [m for m, _ in _writes(env)].count("POST") == 1
    refreshed = env.run("plan", "-f", str(env.desired), "--refresh", "--detailed-exitcode")
    assert refreshed.exit_code == 0, refreshed.output
    assert "no drift" in refreshed.output


SAME_KEY = (
    "clients:\n  - code: '2027'\n    name: Twenty Twenty-Seven, Lda\n    city: Faro\n" + ROLLOVER
)


def test_each_kinds_option_allows_creating_only_that_kind(env: Env) -> None:
    _seed(env)
    write(env, "options:\n  create_missing_clients: true\n" + SAME_KEY)
    clients_only = env.run("plan", "-f", str(env.desired))
    assert clients_only.exit_code == 1, clients_only.output
    assert "sequences.default: no sequence has serie '2027'" in clients_only.output
    assert "no client has code" not in clients_only.output
    write(env, "options:\n  create_missing_series: true\n" + SAME_KEY)
    series_only = env.run("plan", "-f", str(env.desired))
    assert series_only.exit_code == 1, series_only.output
    assert "clients[0].code: no client has code '2027'" in series_only.output
    assert "no sequence has serie" not in series_only.output
    assert _writes(env) == []


def test_a_client_code_equal_to_a_new_serie_is_created_as_a_client_and_as_a_serie(
    env: Env,
) -> None:
    _seed(env)
    write(
        env, "options:\n  create_missing_clients: true\n  create_missing_series: true\n" + SAME_KEY
    )
    result = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert "+ create client '2027'" in result.output
    assert "+ create sequence '2027'" in result.output
    assert [c["name"] for c in env.sandbox.snapshot()["clients"] if c["code"] == "2027"] == [
        "Twenty Twenty-Seven, Lda"
    ]
    (created,) = _serie(env, "2027")
    assert created["default_sequence"] == 1
    posts = [r.path for r in env.sandbox.requests if r.method == "POST"]
    assert sorted(posts) == ["/clients.json", "/sequences.json"]
