"""Every documented exit code of plan and apply, over the sandbox."""

from __future__ import annotations

from tests.support.cli_env import Env


def test_plan_detailed_exitcode_is_2_with_changes_then_0_without(env: Env) -> None:
    assert env.run("plan", "-f", str(env.desired), "--detailed-exitcode").exit_code == 2
    assert env.run("plan", "-f", str(env.desired)).exit_code == 0  # without the flag
    assert env.run("apply", "-f", str(env.desired), "--auto-approve").exit_code == 0
    assert env.run("plan", "-f", str(env.desired), "--detailed-exitcode").exit_code == 0


def test_plan_exits_1_on_bad_input(env: Env) -> None:
    env.edit("language: pt", "language: fr")
    result = env.run("plan", "-f", str(env.desired), "--detailed-exitcode")
    assert result.exit_code == 1
    assert "must be 'pt', 'en' or 'es'" in result.stderr


def test_apply_exits_0_when_every_call_succeeded(env: Env) -> None:
    result = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert result.exit_code == 0
    assert "Apply: 5 succeeded" in result.stdout


def test_apply_exits_3_when_calls_failed(env: Env) -> None:
    # Client 43 takes the name of client 44, which the API refuses (422).
    env.edit("name: Cliente Exemplo, S.A.", "name: Old Customer Ltd")
    result = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert result.exit_code == 3, result.output
    assert "failed: update client 43" in result.stdout
    assert "Apply: 4 succeeded, 1 failed, 0 skipped." in result.stdout


def test_apply_exits_1_on_input_errors_and_applies_nothing(env: Env) -> None:
    env.edit("postal_code: 1500-555", "postal_code: 1500")
    result = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert result.exit_code == 1
    assert "Postal Code must have the following format DDDD-DDD" in result.stderr
    assert env.calls() == []
