"""Habits terraform users bring: one-dash flags, --no-color, shell completion."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitops.test_terminal import COLOUR
from tests.support.cli_env import Env

RECONCILER = Path(sys.executable).with_name("reconciler")


@pytest.mark.parametrize(
    ("typed", "meant"), [("-out", "--out"), ("-auto-approve", "--auto-approve")]
)
def test_a_flag_typed_with_one_dash_gets_a_hint(env: Env, typed: str, meant: str) -> None:
    command = "plan" if typed == "-out" else "apply"
    result = env.run(command, "-f", str(env.desired), typed, "plan.json")
    assert result.exit_code == 1
    assert f"No such option '{typed}'" in result.stderr  # not only its first letter
    assert f"did you mean {meant}?" in result.stderr
    assert env.calls() == []


def test_an_unknown_two_dash_flag_gets_no_one_dash_hint(env: Env) -> None:
    result = env.run("plan", "-f", str(env.desired), "--outt", "plan.json")
    assert result.exit_code == 1
    assert "No such option" in result.stderr
    assert "two dashes" not in result.stderr


def test_no_color_flag_removes_colour_even_when_forced(env: Env) -> None:
    forced = {"NO_COLOR": None, "FORCE_COLOR": "1"}
    coloured = env.run("plan", "-f", str(env.desired), env=forced)
    assert COLOUR.search(coloured.stdout)
    plain = env.run("--no-color", "plan", "-f", str(env.desired), env=forced)
    assert plain.exit_code == 0, plain.output
    assert not COLOUR.search(plain.stdout)
    assert "update client 42" in plain.stdout


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("bash", "complete -o nosort -F"), ("zsh", "compdef"), ("fish", "complete --no-files")],
)
def test_the_shell_completion_script_is_produced(shell: str, marker: str) -> None:
    environ = {**os.environ, "_RECONCILER_COMPLETE": f"{shell}_source"}
    result = subprocess.run(
        [str(RECONCILER)], env=environ, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout
    assert "_RECONCILER_COMPLETE" in result.stdout


def test_completion_offers_the_commands(tmp_path: Path) -> None:
    environ = {
        **os.environ,
        "_RECONCILER_COMPLETE": "bash_complete",
        "COMP_WORDS": "reconciler st",
        "COMP_CWORD": "1",
    }
    result = subprocess.run(
        [str(RECONCILER)], env=environ, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "plain,state" in result.stdout.splitlines()


@pytest.mark.parametrize(
    "command",
    [("plan",), ("apply",), ("refresh",), ("import",), ("state", "move"), ("state", "rm")],
)
def test_every_command_that_takes_the_lock_offers_lock_timeout(
    env: Env, command: tuple[str, ...]
) -> None:
    result = env.run(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "--lock-timeout DURATION" in result.stdout
