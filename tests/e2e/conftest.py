"""End-to-end fixtures: a real sandbox on loopback and the CLI run against it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli_env import Env, sandbox_env


@pytest.fixture
def e2e(tmp_path: Path) -> Iterator[Env]:
    with sandbox_env(tmp_path) as env:
        yield env
