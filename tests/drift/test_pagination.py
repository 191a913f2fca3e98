"""Reading every client through every page, in as few requests as the job needs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientSession, web
from pydantic import SecretStr

from reconciler.api.api_client import ApiClient
from reconciler.api.live import read_all, read_each
from reconciler.core.kinds.client import KIND as CLIENTS
from reconciler.errors import ApiError
from reconciler.sandbox import Faults, Quirks, Sandbox, demo_data
from reconciler.sandbox.demo import new_client
from reconciler.settings import ToolSettings
from tests.support.cli_env import API_KEY, Env
from tests.support.hostile import serving

assert CLIENTS.reading is not None
CLIENTS_READ = CLIENTS.reading

COUNT = 250
DEMO_TAXES_AND_ITEMS = 4 + 3
"""The demo's taxes and items, which an import writes beside the clients."""


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
    clients = await read_all(client, CLIENTS_READ)
    assert sorted(clients) == list(range(1, COUNT + 1))
    assert clients[250]["code"] == "C0250"
    assert _pages(sandbox) == [("1", "100"), ("2", "100"), ("3", "100")]


async def test_many_clients_are_read_from_the_list(api: tuple[Sandbox, ApiClient]) -> None:
    sandbox, client = api
    wanted = [1, 99, 150, 201, 250]
    found = await read_each(client, CLIENTS_READ, wanted)
    assert {i: v["code"] if v else None for i, v in found.items()} == {
        i: f"C{i:04d}" for i in wanted
    }
    assert len(sandbox.requests) == 3  # three pages beat five single reads


async def test_few_clients_are_read_one_by_one(api: tuple[Sandbox, ApiClient]) -> None:
    sandbox, client = api
    found = await read_each(client, CLIENTS_READ, [1, 125, 9999])
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
    clients = await read_all(client, CLIENTS_READ)
    assert len(clients) == COUNT
    assert any(r.status == 429 for r in sandbox.requests)


def test_import_and_refresh_cover_every_page(env: Env) -> None:
    env.sandbox.edit(lambda data: data.update(clients=many_clients()["clients"]))
    env.desired.unlink()
    result = env.run("import", "-f", str(env.desired), "--account-id", "12345")
    assert result.exit_code == 0, result.output
    assert env.desired.read_text().count("  - id: ") == COUNT + DEMO_TAXES_AND_ITEMS
    env.sandbox.edit(lambda data: data["clients"][200].update(city="Braga"))
    env.sandbox.clear_requests()
    plan = env.run("plan", "-f", str(env.desired), "--refresh", "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    assert "client:201" in plan.output and 'city: "Faro" → "Braga"' in plan.output
    assert sum(1 for _, path in env.calls() if path == "/clients.json") == 3


def _numbered_clients(count: int) -> list[dict[str, Any]]:
    return [
        {**new_client(i), "code": f"C{i:04d}", "name": f"Client {i}", "city": "Faro"}
        for i in range(1, count + 1)
    ]


def test_import_reads_every_page_of_a_list_capped_at_30_with_numbers_as_text(env: Env) -> None:
    env.sandbox.edit(lambda data: data.update(clients=_numbered_clients(75)))
    env.sandbox.quirks = Quirks(max_per_page=30, text_numbers=True)
    env.desired.unlink()
    result = env.run("import", "-f", str(env.desired), "--account-id", "12345")
    assert result.exit_code == 0, result.output
    assert env.desired.read_text().count("  - id: ") == 75 + DEMO_TAXES_AND_ITEMS
    assert sorted(
        r.query.get("page", "") for r in env.sandbox.requests if r.path == "/clients.json"
    ) == ["1", "2", "3"]


def _lying_list(total_entries: Any, pages: list[list[dict[str, Any]]], sandbox_url: str):
    """A server that passes every request to the sandbox but answers the clients list from
    ``pages``, with a ``total_entries`` of its own."""

    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path == "/clients.json":
            number = int(request.query.get("page", "1"))
            items = pages[number - 1] if number <= len(pages) else []
            pagination = {"current_page": str(number), "per_page": "30"}
            if total_entries is not None:
                pagination["total_entries"] = total_entries
            return web.json_response({"clients": items, "pagination": pagination})
        async with (
            ClientSession() as session,
            session.request(request.method, sandbox_url + request.path_qs) as answer,
        ):
            return web.Response(
                status=answer.status, body=await answer.read(), content_type="application/json"
            )

    return handler


def test_an_import_whose_list_total_disagrees_with_its_pages_fails_and_writes_nothing(
    env: Env,
) -> None:
    clients = _numbered_clients(60)
    pages = [clients[:30], clients[30:]]  # 60 clients where the list claims 75
    env.desired.unlink()
    with serving(_lying_list("75", pages, env.base_url)) as url:
        result = env.run(
            "import",
            "-f",
            str(env.desired),
            "--account-id",
            "12345",
            env={"INVOICEXPRESS_BASE_URL": url},
        )
    assert result.exit_code == 1, result.output
    assert "says it has 75 clients but its 3 page(s) held 60" in result.output
    assert not env.desired.exists()
    assert not env.state_file.exists()


async def test_a_list_without_totals_is_followed_until_a_short_page(env: Env) -> None:
    clients = [
        {"id": str(c["id"]), "code": c["code"], "name": c["name"]} for c in _numbered_clients(65)
    ]
    pages = [clients[:30], clients[30:60], clients[60:]]
    with serving(_lying_list(None, pages, env.base_url)) as url:
        async with ApiClient(url, SecretStr(API_KEY), ToolSettings(rate_limit=0)) as client:
            found = await read_all(client, CLIENTS_READ)
    assert sorted(found) == list(range(1, 66))


async def test_a_server_that_ignores_the_page_number_is_an_error_not_a_loop(env: Env) -> None:
    clients = [{"id": c["id"], "code": c["code"], "name": c["name"]} for c in _numbered_clients(30)]

    async def same_page(request: web.Request) -> web.StreamResponse:
        return web.json_response({"clients": clients, "pagination": {}})

    with serving(same_page) as url:
        async with ApiClient(url, SecretStr(API_KEY), ToolSettings(rate_limit=0)) as client:
            with pytest.raises(ApiError, match="repeats clients already read"):
                await read_all(client, CLIENTS_READ)
