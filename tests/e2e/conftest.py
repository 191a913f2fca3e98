"""End-to-end fixtures: a real sandbox on loopback and the CLI run against it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli_env import Env, sandbox_env

API_KEY = "e2e-test-key"
AT_PASSWORD = "at-secret-1"


@pytest.fixture
def e2e(tmp_path: Path) -> Iterator[Env]:
    with sandbox_env(tmp_path, API_KEY, AT_PASSWORD) as env:
        yield env
