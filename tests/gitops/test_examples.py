"""The examples stay true: their desired files validate, their commands parse."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
from ruamel.yaml import YAML

from reconciler import __version__
from reconciler.cli import main
from reconciler.desired.schema import render_schema
from tests.support.cli_env import ROOT, Env

EXAMPLES = ROOT / "examples"
ACCOUNTS = sorted((EXAMPLES / "multi-account" / "accounts").glob("*.yaml"))
WORKFLOW = EXAMPLES / "github-actions" / "reconciler.yml"


def _yaml(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text("utf-8"))


def _commands(script: str) -> list[list[str]]:
    """Every ``reconciler ...`` command in a shell script, as arguments, redirections cut."""
    script = re.sub(r"\$\{\{[^}]*\}\}", "X", script.replace("\\\n", " "))
    found = []
    for line in script.splitlines():
        line = line.strip()
        if not line.startswith("reconciler "):
            continue
        words = shlex.split(line)[1:]
        cut = next((i for i, w in enumerate(words) if w in (">", ">>", "|", "&&")), len(words))
        found.append(words[:cut])
    return found


def _parses(args: list[str]) -> None:
    command = main.get_command(click.Context(main), args[0])  # commands are imported lazily
    assert command is not None, args
    command.make_context(args[0], args[1:])


@pytest.mark.parametrize("path", ACCOUNTS, ids=lambda p: p.name)
def test_account_files_validate_and_match_the_schema(env: Env, path: Path) -> None:
    result = env.run("validate", str(path))
    assert result.exit_code == 0, result.output
    jsonschema.validate(_yaml(path), json.loads(render_schema()))
    first = path.read_text("utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/desired-state.schema.json"


def test_the_workflow_plans_on_pull_requests_applies_on_main_and_checks_nightly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.json").write_text("{}")  # what the plan-main job hands to apply
    workflow = _yaml(WORKFLOW)
    assert set(workflow["jobs"]) == {"plan-pr", "plan-main", "apply", "drift"}
    commands = [
        command
        for job in workflow["jobs"].values()
        for step in job["steps"]
        for command in _commands(step.get("run", ""))
    ]
    for command in commands:
        _parses(command)
    flat = [" ".join(c) for c in commands]
    assert any("--format markdown" in c and "--detailed-exitcode" in c for c in flat)
    # A fleet split over the matrix: plans by stable shares, applies by runners sharing the
    # accounts through the database's locks.
    assert "apply -f accounts --shard auto --auto-approve" in flat, flat
    assert all("-f accounts --shard" in c for c in flat), flat
    assert any("validate --allow-unset-env --error-format github" in c for c in flat)
    for name, job in workflow["jobs"].items():
        if name == "apply":
            assert len(job["strategy"]["matrix"]["runner"]) > 1
            continue
        assert job["strategy"]["matrix"]["shard"] == list(
            range(1, int(workflow["env"]["SHARDS"]) + 1)
        )
        for step in job["steps"]:
            if "secrets." in str(step.get("env", {})):
                assert step["env"]["RECONCILER_STATE_URL"] == "${{ secrets.RECONCILER_STATE_URL }}"


def test_the_workflow_pins_actions_and_scopes_credentials_and_secrets() -> None:
    text = WORKFLOW.read_text("utf-8")
    workflow = _yaml(WORKFLOW)
    uses = re.findall(r"^\s*(?:- )?uses: (\S+)(.*)$", text, re.MULTILINE)
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), (action, comment)
    assert "secrets[" not in text
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, name
        if any("secrets." in str(value) for value in job.get("steps", [])):
            assert job["environment"] == (
                "invoicexpress" if name == "apply" else "invoicexpress-plan"
            )
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, name
    assert workflow["env"]["RECONCILER_VERSION"] == __version__


def test_the_pull_request_plan_is_posted_even_with_changes_pending() -> None:
    steps = _yaml(WORKFLOW)["jobs"]["plan-pr"]["steps"]
    plan = next(step for step in steps if step.get("id") == "plan")
    # Only stdout, the plan, goes to the comment; annotations and messages stay on stderr.
    assert "> plan.md" in plan["run"]
    assert "2>" not in plan["run"] and "&>" not in plan["run"]
    assert "set +e" in plan["run"]
    later = steps[steps.index(plan) + 1 :]
    assert later[0]["uses"].startswith("actions/github-script@")
    assert "if" not in later[0]
    assert later[-1]["if"] == (
        "steps.plan.outputs.exitcode != '0' && steps.plan.outputs.exitcode != '2'"
    )


def test_the_pre_commit_hook_runs_validate() -> None:
    (hook,) = _yaml(ROOT / ".pre-commit-hooks.yaml")
    (command,) = _commands(hook["entry"])
    assert command[0] == "validate"
    _parses([*command, "accounts/lisboa.yaml"])
    assert re.search(hook["files"], "accounts/lisboa.yaml")
