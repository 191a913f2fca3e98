"""GitOps fixtures: the sandbox on loopback, a working folder, and desired files of any size."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.sandbox import Sandbox
from reconciler.sandbox.demo import demo_data, new_client

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "gitops-SENTINEL-api-key"
AT_PASSWORD = "SENTINEL-at1"
ACCOUNT_PASSWORD = "SENTINEL-acct-pw"
MANY_IDS = range(1001, 1013)  # twelve clients besides the demo's


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

    def run(self, *args: str, env: dict[str, str | None] | None = None) -> Result:
        """Run the CLI; ``None`` in ``env`` unsets a variable."""
        environ: dict[str, str | None] = {
            "INVOICEXPRESS_BASE_URL": self.base_url,
            "INVOICEXPRESS_API_KEY": API_KEY,
            "AT_PASSWORD": AT_PASSWORD,
            "AT_PASSWORD_LISBOA": AT_PASSWORD,
            "RECONCILER_RATE_LIMIT": "0",
            "RECONCILER_MAX_CHANGE_FRACTION": None,
            "NO_COLOR": "1",
            "FORCE_COLOR": None,
            **(env or {}),
        }
        runner = CliRunner()
        return runner.invoke(main, list(args), env=environ, catch_exceptions=False)

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


def with_clients(data: dict[str, Any], ids: range) -> dict[str, Any]:
    """Sandbox data with an empty client record for each id added."""
    data["clients"].extend(new_client(i) for i in ids)
    return data


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    """The example desired file and the sandbox with its demo data plus clients 1001..1012."""
    sandbox = Sandbox(api_key=API_KEY, rate_limit=0, data=with_clients(demo_data(), MANY_IDS))
    shutil.copy(ROOT / "state.example.yaml", tmp_path / "state.yaml")
    with sandbox.running_in_thread() as base_url:
        yield Env(sandbox, base_url, tmp_path)


@pytest.fixture(scope="session")
def plan_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((ROOT / "schema" / "plan.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema
