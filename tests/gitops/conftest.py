"""GitOps fixtures: the sandbox on loopback, a working folder, and desired files of any size."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.sandbox.demo import demo_data, new_client
from tests.support.cli_env import Env, sandbox_env
from tests.support.schemas import checked_schema

API_KEY = "gitops-SENTINEL-api-key"
AT_PASSWORD = "SENTINEL-at1"
ACCOUNT_PASSWORD = "SENTINEL-acct-pw"
MANY_IDS = range(1001, 1013)  # twelve clients besides the demo's


def with_clients(data: dict[str, Any], ids: range) -> dict[str, Any]:
    """Sandbox data with an empty client record for each id added."""
    data["clients"].extend(new_client(i) for i in ids)
    return data


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    """The example desired file and the sandbox with its demo data plus clients 1001..1012."""
    data = with_clients(demo_data(), MANY_IDS)
    with sandbox_env(tmp_path, API_KEY, AT_PASSWORD, data) as env:
        yield env


@pytest.fixture(scope="session")
def plan_schema() -> dict[str, Any]:
    return checked_schema("plan")
