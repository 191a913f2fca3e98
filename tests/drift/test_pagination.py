"""Reading every client through every page, in as few requests as the job needs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr

from reconciler.api.client import ApiClient
from reconciler.api.live import read_all_clients, read_clients
from reconciler.sandbox import Faults, Sandbox, demo_data
from reconciler.sandbox.demo import new_client
from reconciler.settings import ToolSettings
from tests.e2e.conftest import API_KEY, Env

COUNT = 250


def many_clients() -> dict[str, Any]:
    data = demo_data()
    data["clients"] = [
        {**new_client(i), "code": f"C{i:04d}", "name": f"Client {i}", "city": "Faro"}
        for i in range(1, COUNT + 1)
    ]
    return data


@pytest.fixture
async def api() -> AsyncIterator[tuple[Sandbox, ApiClient]]:
    sandbox = Sandbox(api_key=API_KEY, data=many_clients(), rate_limit=0)
    async with (
        sandbox.running() as base_url,
        ApiClient(base_url, SecretStr(API_KEY), ToolSettings(rate_limit=0)) as client,
    ):
        yield sandbox, client


def _pages(sandbox: Sandbox) -> list[tuple[str, str]]:
    return sorted(
        (r.query.get("page", ""), r.query.get("per_page", ""))
        for r in sandbox.requests
        if r.path == "/clients.json"
    )


async def test_every_page_is_read(api: tuple[Sandbox, ApiClient]) -> None:
    sandbox, client = api
    clients = await read_all_clients(client)
    assert sorted(clients) == list(range(1, COUNT + 1))
    assert clients[250]["code"] == "C0250"
    assert _pages(sandbox) == [("1", "100"), ("2", "100"), ("3", "100")]


async def test_many_clients_are_read_from_the_list(api: tuple[Sandbox, ApiClient]) -> None:
    sandbox, client = api
    wanted = [1, 99, 150, 201, 250]
    found = await read_clients(client, wanted)
    assert {i: v["code"] if v else None for i, v in found.items()} == {
        i: f"C{i:04d}" for i in wanted
    }
    assert len(sandbox.requests) == 3  # three pages beat five single reads


async def test_few_clients_are_read_one_by_one(api: tuple[Sandbox, ApiClient]) -> None:
    sandbox, client = api
    found = await read_clients(client, [1, 125, 9999])
    assert found[9999] is None and found[125] is not None
    # The first page has 1; 125 and 9999 (gone) are read on their own.
    assert sorted(r.path for r in sandbox.requests) == [
        "/clients.json",
        "/clients/125.json",
        "/clients/9999.json",
    ]


async def test_pages_survive_rate_limit_bursts(api: tuple[Sandbox, ApiClient]) -> None:
    sandbox, client = api
    # Seeded: this seed starts one burst while the pages are read (Retry-After: 1).
    sandbox.faults = Faults(burst429_rate=0.2, burst429_length=1, seed=1)
    clients = await read_all_clients(client)
    assert len(clients) == COUNT
    assert any(r.status == 429 for r in sandbox.requests)


def test_import_and_refresh_cover_every_page(env: Env) -> None:
    env.sandbox.edit(lambda data: data.update(clients=many_clients()["clients"]))
    env.desired.unlink()
    result = env.run("import", "-f", str(env.desired), "--account-id", "12345")
    assert result.exit_code == 0, result.output
    assert env.desired.read_text().count("  - id: ") == COUNT
    env.sandbox.edit(lambda data: data["clients"][200].update(city="Braga"))
    env.sandbox.clear_requests()
    plan = env.run("plan", "-f", str(env.desired), "--refresh", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    assert "client:201" in plan.output and 'city: "Faro" → "Braga"' in plan.output
    assert sum(1 for _, path in env.calls() if path == "/clients.json") == 3
