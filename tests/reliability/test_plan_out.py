"""``plan --out`` never writes a plan over a file that is not a saved plan, unless ``--force``.

The desired file, the known state and the files beside it are refused by path (even before
they exist); any other existing file is read, and only a saved plan may be replaced.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.sandbox import Sandbox
from tests.support.cli_process import API_KEY, environment, run_cli
from tests.support.many_clients import Fleet

STATE = ".reconciler/state.state.json"
PROTECTED = {
    "state.yaml": "the desired-state file",
    STATE: "the known state",
    STATE + ".journal": "the known state's journal",
    STATE + ".backup": "the known state's backup",
    STATE + ".lock": "the known state's lock",
    STATE + ".lock.info": "the known state's lock owner",
    STATE + ".drift.jsonl": "the drift log",
}


@pytest.fixture
def applied(tmp_path: Path) -> Iterator[tuple[Fleet, dict[str, str]]]:
    """A fleet applied once (twice, so a backup exists), a change pending, the sandbox up."""
    fleet = Fleet(tmp_path, 2).write()
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url)
        for revision in (0, 1):
            Fleet(tmp_path, 2, revision).write()
            result = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)
            assert result.exit_code == 0, result.output
        Fleet(tmp_path, 2, 2).write()
        yield fleet, env


def _plan_out(fleet: Fleet, env: dict[str, str], out: Path, *extra: str) -> tuple[int, str]:
    result = run_cli(["plan", "-f", str(fleet.desired), "--out", str(out), *extra], env)
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr


@pytest.mark.parametrize("name", PROTECTED)
def test_the_desired_file_and_the_known_state_files_are_refused(
    applied: tuple[Fleet, dict[str, str]], name: str
) -> None:
    fleet, env = applied
    out = fleet.folder / name
    before = out.read_bytes() if out.exists() else None
    code, stderr = _plan_out(fleet, env, out)
    assert code == 1, stderr
    assert f"{out} is {PROTECTED[name]}" in stderr and "--force" in stderr
    assert (out.read_bytes() if out.exists() else None) == before


def test_an_explicit_state_path_and_a_path_spelled_otherwise_are_refused(
    applied: tuple[Fleet, dict[str, str]],
) -> None:
    fleet, env = applied
    elsewhere = fleet.folder / "elsewhere.json"
    args = ["--state", str(elsewhere)]
    code, stderr = _plan_out(fleet, env, elsewhere.with_name("elsewhere.json.journal"), *args)
    assert code == 1 and "is the known state's journal" in stderr
    roundabout = fleet.folder / ".reconciler" / ".." / "state.yaml"
    code, stderr = _plan_out(fleet, env, roundabout)
    assert code == 1 and "is the desired-state file" in stderr


@pytest.mark.parametrize(
    "content",
    [b"notes I keep\n", b'{"kind": "something else"}\n', b"\x00\xff binary", b""],
    ids=["text", "other json", "binary", "empty"],
)
def test_an_existing_file_that_is_not_a_saved_plan_is_refused_unless_forced(
    applied: tuple[Fleet, dict[str, str]], content: bytes
) -> None:
    fleet, env = applied
    out = fleet.folder / "plan.json"
    out.write_bytes(content)
    code, stderr = _plan_out(fleet, env, out)
    assert code == 1, stderr
    assert f"{out} exists and is not a saved plan" in stderr
    assert out.read_bytes() == content
    code, stderr = _plan_out(fleet, env, out, "--force")
    assert code == 0, stderr
    assert json.loads(out.read_text())["kind"] == "reconciler saved plan"


def test_an_older_saved_plan_is_overwritten_and_the_new_one_applies(
    applied: tuple[Fleet, dict[str, str]],
) -> None:
    fleet, env = applied
    out = fleet.folder / "plan.json"
    assert _plan_out(fleet, env, out)[0] == 0
    older = json.loads(out.read_text())
    Fleet(fleet.folder, 2, 3).write()
    code, stderr = _plan_out(fleet, env, out)
    assert code == 0, stderr
    newer = json.loads(out.read_text())
    assert newer["desired_sha256"] != older["desired_sha256"]
    result = run_cli(["apply", str(out)], env)
    assert result.exit_code == 0, result.output


def test_a_new_file_is_written(applied: tuple[Fleet, dict[str, str]]) -> None:
    fleet, env = applied
    out = fleet.folder / "plans" / "next.json"
    out.parent.mkdir()
    assert _plan_out(fleet, env, out)[0] == 0
    assert json.loads(out.read_text())["kind"] == "reconciler saved plan"
