"""reconciler show PLANFILE: the saved plan as text, JSON or Markdown, and its freshness."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reconciler.storage.envelope import sealed
from tests.support.cli_env import Env


def _save(env: Env) -> Path:
    path = env.folder / "plan.json"
    result = env.run("plan", "-f", str(env.desired), "--out", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_show_prints_the_saved_plan_as_plan_does_and_says_it_is_fresh(env: Env) -> None:
    path = _save(env)
    planned = env.run("plan", "-f", str(env.desired))
    shown = env.run("show", str(path), env={"INVOICEXPRESS_BASE_URL": None})
    assert shown.exit_code == 0, shown.output
    plan_text, _, freshness = shown.stdout.rstrip("\n").rpartition("\n")
    assert plan_text + "\n" == planned.stdout
    assert freshness.startswith("Fresh: ")
    assert env.calls() == []  # never reaches the API


def test_show_json_is_the_plan_document(env: Env, plan_schema: dict[str, Any]) -> None:
    path = _save(env)
    shown = env.run("show", str(path), "--format", "json")
    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.stdout)
    jsonschema.validate(document, plan_schema)
    planned = json.loads(env.run("plan", "-f", str(env.desired), "--format", "json").stdout)
    # Without a known state, each plan is made against a fresh lineage.
    assert document.pop("known_state")["serial"] == planned.pop("known_state")["serial"] == 0
    assert document == planned
    assert shown.stderr.startswith("Fresh: ")


def test_show_markdown_is_the_plan_comment(env: Env) -> None:
    path = _save(env)
    shown = env.run("show", str(path), "--format", "markdown")
    planned = env.run("plan", "-f", str(env.desired), "--format", "markdown")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == planned.stdout


def test_show_says_a_plan_is_stale_once_the_desired_file_changed(env: Env) -> None:
    path = _save(env)
    env.edit("city: Porto", "city: Braga")
    shown = env.run("show", str(path))
    assert shown.exit_code == 0, shown.output
    assert "Stale: " in shown.stdout
    assert "state.yaml changed since the plan was saved" in shown.stdout


def test_show_says_a_plan_is_stale_once_the_known_state_changed(env: Env) -> None:
    path = _save(env)
    applied = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    shown = env.run("show", str(path), "--format", "json")
    assert "Stale: the known state changed since the plan was saved" in shown.stderr
    assert "no known state then" in shown.stderr


@pytest.mark.parametrize("content", ["not json", '{"kind": "something else"}'])
def test_show_refuses_what_is_not_a_saved_plan(env: Env, content: str) -> None:
    path = env.folder / "plan.json"
    path.write_text(content)
    shown = env.run("show", str(path))
    assert shown.exit_code == 1
    assert "not a saved plan" in shown.stderr


def test_show_refuses_a_saved_plan_whose_calls_are_unreadable(env: Env) -> None:
    path = _save(env)
    document = json.loads(path.read_text())
    document.pop("checksum")
    document["plan"]["calls"][0]["action"] = "delete everything"
    path.write_text(json.dumps(sealed(document)))
    shown = env.run("show", str(path))
    assert shown.exit_code == 1
    assert "the saved plan's calls are not readable" in shown.stderr


def test_show_says_a_plan_is_stale_once_the_desired_file_is_gone(env: Env) -> None:
    path = _save(env)
    env.desired.unlink()
    shown = env.run("show", str(path))
    assert shown.exit_code == 0, shown.output
    assert f"Stale: {env.desired} no longer exists" in shown.stdout
