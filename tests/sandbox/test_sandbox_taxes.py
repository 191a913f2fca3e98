"""GET/POST /taxes.json, GET/PUT /taxes/:id.json: the tax table and its one default tax."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from reconciler.sandbox import Quirks, Sandbox, demo_data, parse_quirks
from tests.sandbox.conftest import Api

NEW = {"name": "IVA22", "value": "22.0", "region": "PT-MA", "default_tax": "0"}


async def _taxes(api: Api) -> list[dict[str, Any]]:
    answer = await api.get("/taxes.json")
    assert answer.status == 200
    body = answer.json()
    assert list(body) == ["taxes"]
    taxes: list[dict[str, Any]] = body["taxes"]
    return taxes


async def test_the_demo_account_has_the_portuguese_table_with_iva23_the_default(api: Api) -> None:
    taxes = await _taxes(api)
    assert [(t["name"], t["value"], t["region"]) for t in taxes] == [
        ("IVA23", 23.0, "PT"),
        ("IVA13", 13.0, "PT"),
        ("IVA6", 6.0, "PT"),
        ("IVA0", 0.0, "PT"),
    ]
    assert [t["default_tax"] for t in taxes] == [1, 0, 0, 0]
    assert list(taxes[0]) == ["id", "name", "value", "region", "code", "default_tax"]
    assert isinstance(taxes[0]["id"], int)


async def test_create_answers_201_with_the_tax_and_get_reads_it_back(api: Api) -> None:
    answer = await api.post("/taxes.json", json={"tax": NEW})
    assert answer.status == 201
    tax = answer.json()["tax"]
    assert (tax["name"], tax["value"], tax["region"], tax["default_tax"]) == (
        "IVA22", 22.0, "PT-MA", 0,
    )  # fmt: skip
    assert (await api.get(f"/taxes/{tax['id']}.json")).json() == {"tax": tax}
    assert tax in await _taxes(api)


async def test_get_and_update_of_an_unknown_tax_are_404_empty(api: Api) -> None:
    for answer in (
        await api.get("/taxes/999.json"),
        await api.get("/taxes/abc.json"),
        await api.put("/taxes/999.json", json={"tax": {"value": "5.0"}}),
    ):
        assert (answer.status, answer.text) == (404, "")


async def test_update_changes_only_the_fields_sent_and_answers_200_empty(api: Api) -> None:
    [iva13] = [t for t in await _taxes(api) if t["name"] == "IVA13"]
    answer = await api.put(f"/taxes/{iva13['id']}.json", json={"tax": {"value": 12}})
    assert (answer.status, answer.text) == (200, "")
    after = (await api.get(f"/taxes/{iva13['id']}.json")).json()["tax"]
    assert after == {**iva13, "value": 12.0}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "IVA23"}, "Name has already been taken"),
        ({"name": " "}, "Name can't be blank"),
        ({"value": "23.05"}, "Value must have at most 1 decimal place"),
        ({"value": 5.25}, "Value must have at most 1 decimal place"),
        ({"value": "abc"}, "Value is not a number"),
        ({"value": "1e1"}, "Value is not a number"),
        ({"value": True}, "Value is not a number"),
        ({"value": "-1"}, "Value must be greater than or equal to 0"),
        ({"value": "100.5"}, "Value must be less than or equal to 100"),
        ({"value": None}, "Value can't be blank"),
        ({"region": "ES"}, "Region is not included in the list"),
        ({"region": "pt"}, "Region is not included in the list"),
        ({"code": "XYZ"}, "Code is not included in the list"),
        ({"default_tax": "yes"}, "Default tax is not included in the list"),
        ({"rate": "23.0"}, "found unpermitted parameter: :rate"),
    ],
)
async def test_create_refuses_with_422_and_changes_nothing(
    api: Api, sandbox: Sandbox, fields: dict[str, Any], message: str
) -> None:
    before = sandbox.snapshot()
    answer = await api.post("/taxes.json", json={"tax": {**NEW, **fields}})
    assert answer.status == 422
    assert answer.json() == {"errors": [{"error": message}]}
    assert sandbox.snapshot() == before


async def test_create_needs_name_value_and_region_and_lists_every_problem(api: Api) -> None:
    answer = await api.post("/taxes.json", json={"tax": {"colour": "red"}})
    assert answer.status == 422
    assert [e["error"] for e in answer.json()["errors"]] == [
        "found unpermitted parameter: :colour",
        "Name can't be blank",
        "Value can't be blank",
        "Region can't be blank",
    ]


@pytest.mark.parametrize("value", ["23.10", 23, "0", " 6.0 ", 100])
async def test_values_with_at_most_one_significant_decimal_are_kept_exactly(
    api: Api, value: Any
) -> None:
    answer = await api.post("/taxes.json", json={"tax": {**NEW, "value": value}})
    assert answer.status == 201
    assert answer.json()["tax"]["value"] == float(str(value).strip())


@pytest.mark.parametrize("region", ["PT", "PT-AC", "PT-MA", "Desconhecido"])
async def test_the_regions_named_by_the_evidence_are_accepted(api: Api, region: str) -> None:
    answer = await api.post("/taxes.json", json={"tax": {**NEW, "region": region}})
    assert (answer.status, answer.json()["tax"]["region"]) == (201, region)


async def test_only_one_tax_is_the_default(api: Api) -> None:
    created = await api.post("/taxes.json", json={"tax": {**NEW, "default_tax": 1}})
    assert created.json()["tax"]["default_tax"] == 1
    defaults = [t["name"] for t in await _taxes(api) if t["default_tax"] == 1]
    assert defaults == ["IVA22"]
    [iva6] = [t for t in await _taxes(api) if t["name"] == "IVA6"]
    answer = await api.put(f"/taxes/{iva6['id']}.json", json={"tax": {"default_tax": "1"}})
    assert answer.status == 200
    assert [t["name"] for t in await _taxes(api) if t["default_tax"] == 1] == ["IVA6"]


async def test_the_default_tax_cannot_be_unset_directly(api: Api) -> None:
    [iva23] = [t for t in await _taxes(api) if t["name"] == "IVA23"]
    answer = await api.put(f"/taxes/{iva23['id']}.json", json={"tax": {"default_tax": 0}})
    assert answer.status == 422
    assert answer.json() == {
        "errors": [{"error": "Default tax can't be unset: make another tax the default"}]
    }
    assert [t["name"] for t in await _taxes(api) if t["default_tax"] == 1] == ["IVA23"]


async def test_renaming_a_tax_to_its_own_name_is_not_a_duplicate(api: Api) -> None:
    [iva23] = [t for t in await _taxes(api) if t["name"] == "IVA23"]
    answer = await api.put(f"/taxes/{iva23['id']}.json", json={"tax": {"name": "IVA23"}})
    assert answer.status == 200


async def test_a_body_that_is_not_json_is_400_and_another_content_type_415(api: Api) -> None:
    assert (await api.post("/taxes.json", data=b"{", headers=_JSON)).status == 400
    assert (await api.post("/taxes.json", json={"item": NEW})).status == 400
    text = {"Content-Type": "text/plain"}
    assert (await api.post("/taxes.json", data=b"{}", headers=text)).status == 415


_JSON = {"Content-Type": "application/json"}


def test_parse_quirks_reads_text_tax_values() -> None:
    assert parse_quirks("text_tax_values") == Quirks(text_tax_values=True)


@pytest.mark.parametrize("sandbox", [Sandbox(rate_limit=0, quirks=Quirks(text_tax_values=True))])
async def test_quirk_text_tax_values_sends_the_rate_as_text(api: Api) -> None:
    taxes = await _taxes(api)
    assert [t["value"] for t in taxes] == ["23.0", "13.0", "6.0", "0.0"]
    created = await api.post("/taxes.json", json={"tax": NEW})
    assert created.json()["tax"]["value"] == "22.0"


async def test_a_created_tax_is_in_the_data_file_one_line_per_tax(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    sandbox = Sandbox(data_file=path, rate_limit=0, flush_interval=0)
    async with sandbox.running() as base, aiohttp.ClientSession() as session:
        created = await Api(session, base).post("/taxes.json", json={"tax": NEW})
        assert created.status == 201
    lines = [line for line in path.read_text("utf-8").splitlines() if '"IVA22"' in line]
    assert len(lines) == 1 and '"value": "22.0"' in lines[0]
    assert Sandbox(data_file=path).snapshot()["taxes"][-1]["name"] == "IVA22"


def test_a_data_file_from_before_taxes_and_items_loads_with_none(tmp_path: Path) -> None:
    data = demo_data()
    del data["taxes"], data["items"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), "utf-8")
    loaded = Sandbox(data_file=path).snapshot()
    assert (loaded["taxes"], loaded["items"]) == ([], [])


@pytest.mark.parametrize("sandbox", [Sandbox(rate_limit=2)])
async def test_the_new_routes_pass_the_same_gate_as_the_others(api: Api) -> None:
    assert (await api.get("/taxes.json", key="wrong")).status == 401
    assert (await api.call("DELETE", "/taxes/31540.json")).status == 404
    assert (await api.get("/items.json")).status == 200
    assert (await api.post("/sequences.json", json={"sequence": {"serie": "X"}})).status == 422
    limited = await api.get("/taxes/31540.json")
    assert limited.status == 429 and "Retry-After" in limited.headers
