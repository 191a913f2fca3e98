"""End-to-end fixtures: a real sandbox on loopback and the CLI run against it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "e2e-test-key"


@dataclass
class Env:
    """A sandbox, a working folder with a desired-state file, and a way to run the CLI."""

    sandbox: Sandbox
    base_url: str
    folder: Path

    @property
    def desired(self) -> Path:
        return self.folder / "state.yaml"

    @property
    def state_file(self) -> Path:
        return self.folder / ".reconciler" / "state.state.json"

    def run(self, *args: str, env: dict[str, str] | None = None) -> Result:
        runner = CliRunner()
        environ = {
            "INVOICEXPRESS_BASE_URL": self.base_url,
            "INVOICEXPRESS_API_KEY": API_KEY,
            "AT_PASSWORD": "at-secret-1",
            "RECONCILER_RATE_LIMIT": "0",
            "NO_COLOR": "1",
            **(env or {}),
        }
        return runner.invoke(main, list(args), env=environ, catch_exceptions=False)

    def calls(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.sandbox.requests]


@pytest.fixture
def e2e(tmp_path: Path) -> Iterator[Env]:
    sandbox = Sandbox(api_key=API_KEY, rate_limit=0)
    shutil.copy(ROOT / "state.example.yaml", tmp_path / "state.yaml")
    with sandbox.running_in_thread() as base_url:
        yield Env(sandbox, base_url, tmp_path)
