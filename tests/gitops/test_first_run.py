"""What a new user meets first: help without arguments, install hints that name the
distribution, counts written as English, and each failed call's message in a CI log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from aiohttp import web

from reconciler.core.fleet_document import FleetEntry
from reconciler.core.known import KnownState
from reconciler.core.live_fold import Refreshed
from reconciler.core.verification import Verification
from reconciler.render.counts import counted
from reconciler.render.drift import render_refresh, render_verification
from reconciler.render.markdown import render_fleet_markdown
from tests.gitops.conftest import API_KEY
from tests.support.cli_env import ROOT, Env
from tests.support.hostile import serving

RECONCILER = Path(sys.executable).with_name("reconciler")
MINIMAL = (ROOT / "examples" / "minimal.yaml").read_text("utf-8")


def test_reconciler_with_no_arguments_prints_its_help_and_exits_0() -> None:
    result = subprocess.run(
        [str(RECONCILER)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: reconciler [OPTIONS] COMMAND [ARGS]...")
    assert "validate" in result.stdout and "Exit codes" in result.stdout
    assert result.stderr == ""


def test_the_help_lists_the_exit_codes() -> None:
    for command in ([], ["plan"], ["apply"]):
        shown = subprocess.run(
            [str(RECONCILER), *command, "--help"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert shown.returncode == 0, shown.stderr
        text = " ".join(shown.stdout.split())
        assert "Exit codes: 0" in text, command
        assert "1 bad input" in text and "130 / 143" in text, command


BLOCKED = """
import sys
sys.modules["psycopg"] = None  # as if it were not installed
from reconciler.cli import main
main(sys.argv[1:])
"""


def test_the_postgres_hint_names_the_distribution_on_the_package_index(tmp_path: Path) -> None:
    desired = tmp_path / "state.yaml"
    desired.write_text(MINIMAL, "utf-8")
    url = "postgresql://postgres@127.0.0.1:9/known"
    result = subprocess.run(
        [sys.executable, "-c", BLOCKED, "plan", "-f", str(desired), "--state-url", url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "INVOICEXPRESS_BASE_URL": "http://127.0.0.1:9"},
    )
    assert result.returncode == 1
    assert "pip install 'invoicexpress-reconciler[postgres]'" in result.stderr
    assert "'reconciler[postgres]'" not in result.stderr


def test_counted_writes_one_in_the_singular() -> None:
    assert counted(1, "call") == "1 call"
    assert counted(0, "call") == "0 calls"
    assert counted(2, "call") == "2 calls"
    assert counted(1_000, "call", grouped=True) == "1,000 calls"
    assert counted(1, "account", "accounts") == "1 account"


def test_a_plan_apply_verify_and_refresh_of_one_resource_say_it_in_the_singular(env: Env) -> None:
    env.desired.write_text(MINIMAL, "utf-8")
    planned = env.run("plan", "-f", str(env.desired))
    assert "Plan: 1 call (1 update client); 0 resources in sync." in planned.stdout
    applied = env.run("apply", "-f", str(env.desired), "--auto-approve", "--verify")
    assert applied.exit_code == 0, applied.output
    assert "Verify: 1 call read back; all converged." in applied.stdout
    refreshed = env.run("plan", "-f", str(env.desired), "--refresh")
    assert "Refresh: 1 declared resource read; no drift." in refreshed.stdout
    assert "No changes. 1 declared resource is in sync." in refreshed.stdout
    for text in (planned.output, applied.output, refreshed.output):
        assert " 1 calls" not in text and " 1 resources" not in text


def test_a_fleet_of_one_account_says_account(env: Env) -> None:
    folder = env.folder / "accounts"
    folder.mkdir()
    (folder / "solo.yaml").write_text(MINIMAL, "utf-8")
    planned = env.run("plan", "-f", str(folder))
    assert "Fleet: 1 account: 1 with changes (1 call), 0 in sync, 0 failed." in planned.stdout
    applied = env.run("apply", "-f", str(folder), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "Fleet: 1 account: 1 converged, 0 not." in applied.stdout
    markdown = env.run("plan", "-f", str(folder), "--format", "markdown")
    assert "1 account: 0 with changes (0 calls), 0 failed." in markdown.stdout


def test_the_rendered_counts_agree_with_their_number() -> None:
    for read, said in ((1, "1 declared resource"), (2, "2 declared resources")):
        refreshed = Refreshed(
            KnownState.new(), drift=(), recorded=(), unchecked_secrets=(), read=read
        )
        assert f"Refresh: {said} read; no drift." in render_refresh(refreshed).plain
    for checked, said in ((1, "1 call"), (3, "3 calls")):
        verification = Verification(checked=checked, not_converged=())
        assert f"Verify: {said} read back" in render_verification(verification).plain
    entry = FleetEntry(account="solo", file="solo.yaml", plan=None, error="boom")
    assert "1 account: 0 with changes (0 calls), 1 failed." in render_fleet_markdown([entry])


def test_off_a_terminal_a_failed_call_shows_the_apis_message_redacted(env: Env) -> None:
    async def refuse(request: web.Request) -> web.Response:
        await request.read()
        # The API's words, echoing the key it was sent, as a careless server would.
        message = f"Name is invalid for key {request.query.get('api_key')}"
        return web.json_response({"errors": [message]}, status=422)

    env.desired.write_text(MINIMAL, "utf-8")
    with serving(refuse) as base_url:
        result = env.run(
            "apply",
            "-f",
            str(env.desired),
            "--auto-approve",
            env={"INVOICEXPRESS_BASE_URL": base_url, "RECONCILER_MAX_ATTEMPTS": "1"},
        )
    assert result.exit_code == 3, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("[1/1]")]
    assert lines == [
        "[1/1] failed: update client 42: PUT /clients/42.json: HTTP 422: "
        "Name is invalid for key (sensitive)"
    ]
    assert API_KEY not in result.output
    assert json.dumps(API_KEY) not in result.output


def test_a_key_that_is_a_word_is_redacted_from_the_query_but_not_from_the_sentence(
    env: Env,
) -> None:
    async def refuse(request: web.Request) -> web.Response:
        await request.read()
        key = request.query.get("api_key")
        error = f"The API key is missing or invalid (api_key={key})"
        return web.json_response({"errors": {"error": error}}, status=401)

    env.desired.write_text(MINIMAL, "utf-8")
    with serving(refuse) as base_url:
        result = env.run(
            "apply",
            "-f",
            str(env.desired),
            "--auto-approve",
            env={"INVOICEXPRESS_BASE_URL": base_url, "INVOICEXPRESS_API_KEY": "missing"},
        )
    assert result.exit_code == 3, result.output
    assert "The API key is missing or invalid (api_key=(sensitive))" in result.output
    assert "api_key=missing" not in result.output
