"""A sandbox on loopback, a working folder with a desired-state file, and the CLI run in-process
against them: what the end-to-end, GitOps and drift tests share."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "e2e-test-key"
AT_PASSWORD = "at-secret-1"


@dataclass
class Env:
    """A sandbox, a working folder with a desired-state file, and a way to run the CLI."""

    sandbox: Sandbox
    base_url: str
    folder: Path
    api_key: str
    at_password: str

    @property
    def desired(self) -> Path:
        return self.folder / "state.yaml"

    @property
    def state_file(self) -> Path:
        return self.folder / ".reconciler" / "state.state.json"

    def run(self, *args: str, env: dict[str, str | None] | None = None) -> Result:
        """Run the CLI; ``None`` in ``env`` unsets a variable."""
        environ: dict[str, str | None] = {
            "INVOICEXPRESS_BASE_URL": self.base_url,
            "INVOICEXPRESS_API_KEY": self.api_key,
            "AT_PASSWORD": self.at_password,
            "AT_PASSWORD_LISBOA": self.at_password,
            "RECONCILER_RATE_LIMIT": "0",
            "RECONCILER_MAX_CHANGE_FRACTION": None,
            "NO_COLOR": "1",
            "FORCE_COLOR": None,
            **(env or {}),
        }
        runner = CliRunner()
        return runner.invoke(main, list(args), env=environ, catch_exceptions=False)

    def child_environment(self) -> dict[str, str]:
        """This process's variables and those a CLI run in a child process needs."""
        return {
            **os.environ,
            "INVOICEXPRESS_BASE_URL": self.base_url,
            "INVOICEXPRESS_API_KEY": self.api_key,
            "AT_PASSWORD": self.at_password,
            "RECONCILER_RATE_LIMIT": "0",
            "NO_COLOR": "1",
        }

    def on_a_terminal(self, *args: str, answer: bytes) -> subprocess.CompletedProcess[str]:
        """``reconciler ARGS`` in a child process with a terminal as stdin, ``answer`` typed
        ahead."""
        controller, terminal = pty.openpty()
        try:
            os.write(controller, answer)
            return subprocess.run(
                [sys.executable, "-m", "reconciler", *args],
                stdin=terminal,
                capture_output=True,
                text=True,
                env=self.child_environment(),
                timeout=120,
                check=False,
            )
        finally:
            os.close(terminal)
            os.close(controller)

    def calls(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.sandbox.requests]

    def add_clients(self, ids: range) -> None:
        with self.desired.open("a", encoding="utf-8") as handle:
            handle.write("\n" + clients_yaml(ids))

    def edit(self, old: str, new: str) -> None:
        text = self.desired.read_text("utf-8")
        assert old in text, old
        self.desired.write_text(text.replace(old, new, 1), "utf-8")


def clients_yaml(ids: range, city: str = "Lisboa") -> str:
    """A ``clients:`` list in YAML, one client per id."""
    return "".join(
        f"  - id: {i}\n    code: C-{i}\n    name: Client {i}\n    city: {city}\n" for i in ids
    )


@contextmanager
def sandbox_env(
    folder: Path,
    api_key: str = API_KEY,
    at_password: str = AT_PASSWORD,
    data: dict[str, Any] | None = None,
) -> Iterator[Env]:
    """A sandbox (the demo data, or ``data``) running in a thread, and ``folder`` holding a copy
    of ``state.example.yaml`` as ``state.yaml``."""
    sandbox = Sandbox(api_key=api_key, rate_limit=0, data=data)
    shutil.copy(ROOT / "state.example.yaml", folder / "state.yaml")
    with sandbox.running_in_thread() as base_url:
        yield Env(sandbox, base_url, folder, api_key, at_password)
