"""Fixtures for drift, adoption and verification: a sandbox on loopback and the CLI against it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli_env import Env, sandbox_env


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    """The demo sandbox and a copy of state.example.yaml as ``state.yaml``."""
    with sandbox_env(tmp_path) as env:
        yield env


def applied(env: Env) -> None:
    """Apply the desired file and forget the requests it made."""
    result = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert result.exit_code == 0, result.output
    env.sandbox.clear_requests()


def write(env: Env, text: str) -> Path:
    env.desired.write_text(text, encoding="utf-8")
    return env.desired
