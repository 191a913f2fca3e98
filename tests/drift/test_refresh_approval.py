"""``refresh`` shows what it would write into the known state and writes it only when approved:
``yes`` on a terminal, or ``--auto-approve``; off a terminal without it, it reports and writes
nothing, so a second refresh still reports the drift."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.drift.conftest import applied
from tests.support.cli_env import Env


def _client(data: dict[str, Any], client_id: int) -> dict[str, Any]:
    return next(c for c in data["clients"] if c["id"] == client_id)


def _drifted(env: Env) -> bytes:
    applied(env)
    env.sandbox.edit(lambda data: _client(data, 43).update(city="Braga"))
    return env.state_file.read_bytes()


def _on_a_terminal(env: Env, answer: bytes, *extra: str) -> subprocess.CompletedProcess[str]:
    """``reconciler refresh`` with a terminal as stdin, ``answer`` typed ahead."""
    return env.on_a_terminal("refresh", "-f", str(env.desired), *extra, answer=answer)


def test_off_a_terminal_refresh_reports_and_writes_nothing(env: Env) -> None:
    before = _drifted(env)
    for _ in range(2):  # the second refresh still sees the drift: nothing was folded in
        result = env.run("refresh", "-f", str(env.desired), "--detailed-exitcode")
        assert result.exit_code == 2, result.output
        assert 'city: "Porto" → "Braga"  (applied → live)' in result.stdout
        assert "client:43" in result.stdout and "would write" in result.stdout
        assert "nothing written" in result.stderr and "--auto-approve" in result.stderr
    assert env.state_file.read_bytes() == before
    plain = env.run("refresh", "-f", str(env.desired))
    assert plain.exit_code == 0, plain.output
    assert env.state_file.read_bytes() == before
    document = env.run("refresh", "-f", str(env.desired), "--format", "json")
    assert document.exit_code == 0, document.output
    assert json.loads(document.stdout)["written"] is False
    assert env.state_file.read_bytes() == before


def test_auto_approve_writes_the_live_values(env: Env) -> None:
    before = _drifted(env)
    result = env.run("refresh", "-f", str(env.desired), "--auto-approve", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    assert "Known state updated" in result.stdout
    assert env.state_file.read_bytes() != before
    again = env.run("refresh", "-f", str(env.desired), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "no drift" in again.stdout and "would write" not in again.stdout


@pytest.mark.parametrize("answer", [b"no\n", b"y\n", b"\n"])
def test_on_a_terminal_anything_but_yes_writes_nothing(env: Env, answer: bytes) -> None:
    before = _drifted(env)
    result = _on_a_terminal(env, answer)
    assert result.returncode == 1, result.stderr
    assert "Only 'yes' will be accepted" in result.stdout
    assert "Refresh cancelled; nothing written." in result.stderr
    assert env.state_file.read_bytes() == before


def test_on_a_terminal_yes_writes(env: Env) -> None:
    before = _drifted(env)
    result = _on_a_terminal(env, b"yes\n")
    assert result.returncode == 0, result.stderr
    assert "Known state updated" in result.stdout
    assert env.state_file.read_bytes() != before
    assert env.run("refresh", "-f", str(env.desired), "--detailed-exitcode").exit_code == 0
