"""The demo data set, the data file, ``edit``, ``snapshot`` and ``rewrites``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from reconciler.sandbox import Sandbox, demo_data
from reconciler.sandbox.countries import COUNTRIES

if TYPE_CHECKING:
    from tests.sandbox.conftest import Api

REPO = Path(__file__).resolve().parents[2]


def test_countries_match_the_shipped_list() -> None:
    text = (REPO / "reconciler" / "data" / "countries.txt").read_text("utf-8")
    assert list(COUNTRIES) == text.splitlines()
    assert len(COUNTRIES) == 251
    assert COUNTRIES[:3] == ("Portugal", "Ireland", "UK")
    assert "Côte d’Ivoire" in COUNTRIES


def test_demo_data_ids_and_facts() -> None:
    data = demo_data()
    account = data["account"]
    assert (account["id"], account["tax_country"], account["fiscal_id"]) == (
        12345,
        "1",
        "999999990",
    )
    assert account["credentials"] is None
    assert data["taken_fiscal_ids"] == ["500000000", "501964843"]
    sequences = {s["id"]: s for s in data["sequences"]}
    assert [(i, s["serie"], s["default_sequence"]) for i, s in sequences.items()] == [
        (146090, "2025", 0),
        (146110, "2024", 1),
        (146130, "2026", 0),
    ]
    assert sequences[146090]["current_invoice_validation_code"] == "N/D"
    assert sequences[146110]["current_invoice_validation_code"] not in ("N/D", "N/A")
    assert sequences[146110]["current_vat_moss_receipt_validation_code"] == "N/A"
    assert [(c["id"], c["code"]) for c in data["clients"]] == [
        (42, "12345"),
        (43, "C-0043"),
        (44, "C-0044"),
    ]
    assert json.loads(json.dumps(data)) == data
    data["clients"].clear()
    assert len(demo_data()["clients"]) == 3


def test_data_given_is_copied() -> None:
    data = demo_data()
    sandbox = Sandbox(data=data)
    data["clients"].clear()
    assert len(sandbox.snapshot()["clients"]) == 3


async def test_data_file_persists_across_instances(tmp_path: Path) -> None:
    path = tmp_path / "state" / "sandbox.json"
    first = Sandbox(data_file=path)
    assert not path.exists()  # written on the first change only
    async with first.running() as base, aiohttp.ClientSession() as session:
        url = f"{base}/clients/42.json?api_key=sandbox"
        async with session.put(url, json={"client": {"name": "Persisted", "code": "1"}}) as answer:
            assert answer.status == 200
    assert json.loads(path.read_text("utf-8"))["clients"][0]["name"] == "Persisted"
    second = Sandbox(data_file=path)
    async with (
        second.running() as base,
        aiohttp.ClientSession() as session,
        session.get(f"{base}/clients/42.json?api_key=sandbox") as answer,
    ):
        assert (await answer.json())["client"]["name"] == "Persisted"
    assert [p.name for p in path.parent.iterdir()] == ["sandbox.json"]


def test_writes_are_atomic_and_leave_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    sandbox = Sandbox(data_file=path)
    for n in range(5):

        def move(data: dict[str, Any], city: str = f"City {n}") -> None:
            data["account"]["city"] = city

        sandbox.edit(move)
    assert json.loads(path.read_text("utf-8"))["account"]["city"] == "City 4"
    assert [p.name for p in tmp_path.iterdir()] == ["data.json"]

    def broken(data: dict[str, Any]) -> None:
        data["account"]["city"] = "Never"
        data["clients"] = "not a list"

    with pytest.raises(ValueError, match="clients"):
        sandbox.edit(broken)
    assert json.loads(path.read_text("utf-8"))["account"]["city"] == "City 4"
    assert sandbox.snapshot()["account"]["city"] == "City 4"
    assert [p.name for p in tmp_path.iterdir()] == ["data.json"]


def test_unchanged_data_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    Sandbox(data_file=path).edit(lambda data: None)
    assert not path.exists()


def test_data_file_wins_over_data_argument(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    Sandbox(data_file=path).edit(lambda data: data["clients"].pop())
    loaded = Sandbox(data=demo_data(), data_file=path)
    assert len(loaded.snapshot()["clients"]) == 2


@pytest.mark.parametrize("content", ["{not json", "[]", '{"account": {}}'])
def test_a_bad_data_file_is_refused_clearly(tmp_path: Path, content: str) -> None:
    path = tmp_path / "data.json"
    path.write_text(content, "utf-8")
    with pytest.raises(ValueError, match="cannot load sandbox data from"):
        Sandbox(data_file=path)


def test_snapshot_is_a_deep_copy() -> None:
    sandbox = Sandbox()
    snapshot = sandbox.snapshot()
    snapshot["account"]["city"] = "Elsewhere"
    assert sandbox.snapshot()["account"]["city"] == "Lisboa"


async def test_edit_is_seen_by_the_api(api: Api, sandbox: Sandbox) -> None:
    sandbox.edit(lambda data: data["clients"][1].update(email="changed@exemplo.pt"))
    answer = await api.get("/clients/43.json")
    assert answer.json()["client"]["email"] == "changed@exemplo.pt"


async def test_rewrites_change_what_is_stored(api: Api, sandbox: Sandbox) -> None:
    sandbox.rewrites["client.phone"] = lambda value: str(value).replace(" ", "")
    sandbox.rewrites["account.city"] = str.upper
    body = {"client": {"name": "Client Name", "code": "12345", "phone": "21 345 67 89"}}
    assert (await api.put("/clients/42.json", json=body)).status == 200
    assert (await api.get("/clients/42.json")).json()["client"]["phone"] == "213456789"
    created = await api.post(
        "/clients.json", json={"client": {"name": "N", "code": "N", "phone": "1 2"}}
    )
    assert created.json()["client"]["phone"] == "12"
    updated = await api.put("/api/accounts/12345/update.json", json={"account": {"city": "Faro"}})
    assert updated.json()["account"]["city"] == "FARO"
    # Fields the request does not set are not rewritten.
    await api.put(
        "/clients/43.json", json={"client": {"name": "Cliente Exemplo, S.A.", "code": "C-0043"}}
    )
    assert sandbox.snapshot()["clients"][1]["phone"] == ""
