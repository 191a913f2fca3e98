"""Writes change only their record; the data file is flushed in the background and on stop."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from reconciler.sandbox import Sandbox, demo_data
from reconciler.sandbox.clientindex import ClientIndex
from reconciler.sandbox.demo import new_client
from reconciler.sandbox.store import Store, encode
from tests.sandbox.conftest import KEY, Api

# Longer than any test: only the flush at shutdown (or an explicit one) writes the file.
NEVER = 3600.0


def _with_clients(count: int) -> dict[str, Any]:
    data = demo_data()
    data["clients"] = [
        {**new_client(100 + n), "name": f"Client {n}", "code": f"K{n}"} for n in range(count)
    ]
    return data


def _stored(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return loaded


async def test_the_file_holds_every_answered_write_after_a_clean_stop(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    sandbox = Sandbox(data=_with_clients(40), data_file=path, flush_interval=NEVER)
    answered: dict[int, str] = {}
    async with sandbox.running() as base, aiohttp.ClientSession() as session:
        api = Api(session, base)

        async def rename(client_id: int, round_: int) -> None:
            city = f"City {client_id}/{round_}"
            body = {"client": {"name": f"Client {client_id - 100}", "code": f"K{client_id - 100}"}}
            body["client"]["city"] = city
            answer = await api.put(f"/clients/{client_id}.json", json=body)
            assert answer.status == 200
            answered[client_id] = city

        for round_ in range(3):
            await asyncio.gather(*(rename(100 + n, round_) for n in range(40)))
        created = await api.post("/clients.json", json={"client": {"name": "New", "code": "N"}})
        assert created.status == 201
        account = {"account": {"city": "Faro"}}
        assert (await api.put("/api/accounts/12345/update.json", json=account)).status == 200
        assert (await api.put("/sequences/146110/register.json")).status == 409
        assert (await api.put("/sequences/146110/set_current.json")).status == 200
        assert not path.exists()  # nothing flushed yet: the interval is an hour
    stored = _stored(path)
    assert stored == sandbox.snapshot()
    cities = {c["id"]: c["city"] for c in stored["clients"]}
    assert all(cities[client_id] == city for client_id, city in answered.items())
    assert stored["clients"][-1]["name"] == "New"
    assert stored["account"]["city"] == "Faro"
    assert [p.name for p in tmp_path.iterdir()] == ["data.json"]


async def test_a_running_sandbox_flushes_without_stopping(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    sandbox = Sandbox(data_file=path, flush_interval=0.01)
    async with sandbox.running() as base, aiohttp.ClientSession() as session:
        api = Api(session, base)
        body = {"client": {"name": "Flushed", "code": "12345"}}
        assert (await api.put("/clients/42.json", json=body)).status == 200
        for _ in range(1000):
            if path.exists() and _stored(path)["clients"][0]["name"] == "Flushed":
                break
            await asyncio.sleep(0.01)
        assert _stored(path)["clients"][0]["name"] == "Flushed"


async def test_flush_interval_zero_writes_before_answering(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    sandbox = Sandbox(data_file=path, flush_interval=0)
    async with sandbox.running() as base, aiohttp.ClientSession() as session:
        api = Api(session, base)
        body = {"client": {"name": "On disk", "code": "12345"}}
        assert (await api.put("/clients/42.json", json=body)).status == 200
        assert _stored(path)["clients"][0]["name"] == "On disk"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/clients/42.json", {"client": {"name": "Old Customer Ltd", "code": "12345"}}),
        ("PUT", "/clients/42.json", {"client": {"name": "Fine", "code": "C-0044"}}),
        ("PUT", "/clients/42.json", {"client": {"name": "Fine", "code": "1", "country": "X"}}),
        ("PUT", "/clients/99.json", {"client": {"name": "Fine", "code": "1"}}),
        ("POST", "/clients.json", {"client": {"name": "Client Name", "code": "NEW"}}),
        ("PUT", "/api/accounts/12345/update.json", {"account": {"city": "Faro", "terms": "9"}}),
        ("PUT", "/sequences/146090/register.json", None),
        ("PUT", "/sequences/146090/set_current.json", None),
    ],
)
async def test_a_rejected_write_leaves_data_and_file_unchanged(
    tmp_path: Path, method: str, path: str, body: dict[str, Any] | None
) -> None:
    data_file = tmp_path / "data.json"
    sandbox = Sandbox(data_file=data_file, flush_interval=0)
    sandbox.edit(lambda data: data["account"].update(city="Braga"))  # the file exists
    before, text_before = sandbox.snapshot(), data_file.read_text("utf-8")
    async with sandbox.running() as base, aiohttp.ClientSession() as session:
        answer = await Api(session, base).call(method, path, json=body)
        assert answer.status in (404, 422), answer
    assert sandbox.snapshot() == before
    assert data_file.read_text("utf-8") == text_before


async def test_a_rejected_write_does_not_disturb_uniqueness(api: Api) -> None:
    # Renaming 43 frees its name and code for another client, and takes the new ones.
    rename = {"client": {"name": "Renamed", "code": "R-1"}}
    assert (await api.put("/clients/43.json", json=rename)).status == 200
    take_old = {"client": {"name": "Cliente Exemplo, S.A.", "code": "C-0043"}}
    assert (await api.put("/clients/44.json", json=take_old)).status == 200
    refused = await api.put("/clients/42.json", json={"client": {"name": "Renamed", "code": "Z"}})
    assert [e["error"] for e in refused.json()["errors"]] == ["Name has already been taken"]
    # The refused write took nothing: "Z" is still free, "12345" still 42's.
    free = await api.put("/clients/43.json", json={"client": {"name": "A", "code": "Z"}})
    assert free.status == 200
    dup = await api.post("/clients.json", json={"client": {"name": "B", "code": "12345"}})
    assert [e["error"] for e in dup.json()["errors"]] == ["Code has already been taken"]


async def test_an_edit_is_seen_by_the_index(api: Api, sandbox: Sandbox) -> None:
    sandbox.edit(lambda data: data["clients"].append({**new_client(77), "name": "N", "code": "E"}))
    assert (await api.get("/clients/77.json")).json()["client"]["code"] == "E"
    taken = await api.put("/clients/42.json", json={"client": {"name": "N", "code": "12345"}})
    assert [e["error"] for e in taken.json()["errors"]] == ["Name has already been taken"]
    created = await api.post("/clients.json", json={"client": {"name": "M", "code": "M"}})
    assert created.json()["client"]["id"] == 78


def test_index_finds_and_counts_like_a_scan() -> None:
    clients = _with_clients(5)["clients"]
    clients.append({**new_client(100), "name": "Twin", "code": "K0"})  # a hand-made duplicate id
    index = ClientIndex(clients)
    assert index.find(100) is clients[0] and index.find(None) is None
    assert index.next_id() == 105
    assert index.taken("code", "K0", by_other_than=clients[0])  # the twin holds it too
    assert not index.taken("code", "K1", by_other_than=clients[1])
    assert index.taken("code", "K1", by_other_than=None)
    index.update(clients[1], {"code": "K9", "id": 555})
    assert clients[1]["id"] == 101 and not index.taken("code", "K1", by_other_than=None)
    unhashable = [{**new_client(1), "name": ["a list"], "code": {"an": "object"}}]
    assert ClientIndex(unhashable).taken("name", "a list", by_other_than=None) is False


def test_cached_encoding_matches_a_fresh_one(tmp_path: Path) -> None:
    store = Store(_with_clients(3), tmp_path / "data.json")

    def rename(data: dict[str, Any]) -> tuple[None, bool]:
        client = store.clients.find(101)
        assert client is not None
        store.clients.update(client, {"name": "Changed", "city": "Évora"})
        return None, True

    store.write(lambda data: (data["account"].update(city="Faro"), True))
    assert store.pending() is not None  # encodes every client, filling the cache
    store.write(rename)
    pending = store.pending()
    assert pending is not None
    assert pending[1] == encode(store.snapshot())
    assert json.loads(pending[1])["clients"][1]["city"] == "Évora"


def test_an_older_version_never_replaces_a_newer_one(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    store = Store(demo_data(), path)
    store.write(lambda data: (data["account"].update(city="One"), True))
    first = store.pending()
    store.write(lambda data: (data["account"].update(city="Two"), True))
    second = store.pending()
    assert first is not None and second is not None
    assert store.save(*second) is True
    assert store.save(*first) is False
    assert _stored(path)["account"]["city"] == "Two"
    assert not store.dirty and store.flush() is False


def test_a_failed_last_flush_is_raised(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", "utf-8")
    sandbox = Sandbox(data_file=blocker / "data.json", flush_interval=NEVER)
    body = json.dumps({"account": {"city": "Lost"}}).encode()
    with pytest.raises(OSError), sandbox.running_in_thread() as base:
        request = urllib.request.Request(
            f"{base}/api/accounts/12345/update.json?api_key={KEY}",
            data=body,
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
    assert sandbox.snapshot()["account"]["city"] == "Lost"


def test_a_bad_flush_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="flush interval"):
        Sandbox(flush_interval=-1)
