"""--target: plan and apply limited to some resources, dependencies kept sane."""

from __future__ import annotations

import json

from tests.support.cli_env import Env


def _planned_paths(env: Env, *targets: str) -> list[str]:
    args = [a for t in targets for a in ("--target", t)]
    result = env.run("plan", "-f", str(env.desired), "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return [call["path"] for call in json.loads(result.stdout)["calls"]]


def test_a_client_target_plans_and_applies_that_client_only(env: Env) -> None:
    assert _planned_paths(env, "client:43") == ["/clients/43.json"]
    result = env.run("apply", "-f", str(env.desired), "--auto-approve", "--target", "client:43")
    assert result.exit_code == 0, result.output
    assert env.calls() == [("PUT", "/clients/43.json")]
    rest = _planned_paths(env)
    assert "/clients/43.json" not in rest and len(rest) == 4


def test_targets_repeat_and_name_groups(env: Env) -> None:
    assert _planned_paths(env, "account", "client:42") == [
        "/api/accounts/12345/update.json",
        "/clients/42.json",
    ]


def test_pending_dependencies_are_pulled_in_and_said_so(env: Env) -> None:
    result = env.run("plan", "-f", str(env.desired), "--target", "sequences")
    assert result.exit_code == 0, result.output
    assert "note: account:12345 is planned too" in result.stderr
    assert "Plan: 3 calls (1 update account, 1 register sequence, 1 set default sequence)" in (
        result.stdout
    )


def test_a_dependency_in_sync_is_simply_left_out(env: Env) -> None:
    assert (
        env.run("apply", "-f", str(env.desired), "--auto-approve", "--target", "account").exit_code
        == 0
    )
    env.sandbox.clear_requests()
    result = env.run(
        "apply", "-f", str(env.desired), "--auto-approve", "--target", "registration:146090"
    )
    assert result.exit_code == 0, result.output
    assert "note:" not in result.stderr
    assert env.calls() == [("PUT", "/sequences/146090/register.json")]


def test_an_unknown_target_names_the_valid_forms(env: Env) -> None:
    result = env.run("plan", "-f", str(env.desired), "--target", "clients")
    assert result.exit_code == 1
    assert "unknown target 'clients'" in result.stderr
    assert "client:<id>" in result.stderr and "sequences" in result.stderr


def test_a_target_that_matches_nothing_declared_is_an_error(env: Env) -> None:
    result = env.run("apply", "-f", str(env.desired), "--auto-approve", "--target", "client:999")
    assert result.exit_code == 1
    assert "target 'client:999' matches nothing the desired state declares" in result.stderr
    assert env.calls() == []
