"""A registration answered 409 is done only for the documented codes: 005 (all sequences are
registered) and 008 (already being registered). Any other conflict is a failure, not recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from reconciler.sandbox import Sandbox
from tests.support.cli_process import API_KEY, environment, run_cli
from tests.support.hostile import Seen, serving
from tests.support.many_clients import SEQUENCE

REGISTER = f"/sequences/{SEQUENCE}/register.json"


def _desired(folder: Path) -> Path:
    desired = folder / "state.yaml"
    desired.write_text(f"sequences:\n  register: [{SEQUENCE}]\n")
    return desired


def _recorded(folder: Path) -> dict[str, Any]:
    state_file = folder / ".reconciler" / "state.state.json"
    if not state_file.exists():
        return {}
    resources: dict[str, Any] = json.loads(state_file.read_text())["resources"]
    return resources


def _being_registered(data: dict[str, Any]) -> None:
    [sequence] = [s for s in data["sequences"] if s["id"] == SEQUENCE]
    sequence["registering"] = True


def test_a_registration_already_in_progress_counts_as_done(tmp_path: Path) -> None:
    desired = _desired(tmp_path)
    sandbox = Sandbox(api_key=API_KEY, rate_limit=0)
    sandbox.edit(_being_registered)
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url)
        result = run_cli(["apply", "-f", str(desired), "--auto-approve"], env)
        assert result.exit_code == 0, result.output
        assert [(r.path, r.status) for r in sandbox.requests] == [(REGISTER, 409)]
        assert "succeeded: register sequence 146090: already registered" in result.stderr
        registration = _recorded(tmp_path)[f"registration:{SEQUENCE}"]
        assert registration["answer"]["conflict"] == "008"
        sandbox.clear_requests()
        again = run_cli(["apply", "-f", str(desired), "--auto-approve"], env)
    assert again.exit_code == 0, again.output
    assert "No changes." in again.stdout
    assert sandbox.requests == []  # never registered a second time


@pytest.mark.parametrize(
    "answer",
    [
        {"code": "009", "message": "Another conflict."},
        {"code": 5, "message": "A number, not the code 005."},
        {"message": "A conflict without a code."},
    ],
    ids=["another code", "a number", "no code"],
)
def test_any_other_conflict_fails_the_registration_and_records_nothing(
    tmp_path: Path, answer: dict[str, Any]
) -> None:
    desired = _desired(tmp_path)
    seen = Seen()

    async def conflict(request: web.Request) -> web.Response:
        await seen.note(request)
        return web.json_response(answer, status=409)

    with serving(conflict) as base_url:
        result = run_cli(["apply", "-f", str(desired), "--auto-approve"], environment(base_url))
    assert result.exit_code != 0, result.output
    assert "failed: register sequence 146090" in result.stderr
    assert answer["message"] in result.output
    assert "Apply: 0 succeeded, 1 failed, 0 skipped." in result.stdout
    assert seen.requests == [f"PUT {REGISTER}"]  # a 409 is not retried
    assert f"registration:{SEQUENCE}" not in _recorded(tmp_path)
