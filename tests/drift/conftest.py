"""Fixtures for drift, adoption and verification: a sandbox on loopback and the CLI against it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.sandbox import Sandbox
from tests.e2e.conftest import API_KEY, ROOT, Env


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    """The demo sandbox and a copy of state.example.yaml as ``state.yaml``."""
    sandbox = Sandbox(api_key=API_KEY, rate_limit=0)
    shutil.copy(ROOT / "state.example.yaml", tmp_path / "state.yaml")
    with sandbox.running_in_thread() as base_url:
        yield Env(sandbox, base_url, tmp_path)


def applied(env: Env) -> None:
    """Apply the desired file and forget the requests it made."""
    result = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert result.exit_code == 0, result.output
    env.sandbox.clear_requests()


def write(env: Env, text: str) -> Path:
    env.desired.write_text(text, encoding="utf-8")
    return env.desired
