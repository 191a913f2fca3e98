"""GET/POST /items.json, GET/PUT /items/:id.json: the item catalogue, its prices and taxes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from reconciler.sandbox import Quirks, Sandbox, demo_data, parse_quirks
from reconciler.sandbox.items import new_item

if TYPE_CHECKING:
    from tests.sandbox.conftest import Api

# The body of the official create example.
NEW = {
    "name": "Item name",
    "description": "Item description",
    "unit_price": "9.99",
    "unit": "service",
    "tax": {"name": "IVA23"},
}


def _with_items(count: int) -> dict[str, Any]:
    data = demo_data()
    data["items"] = [
        new_item(n, f"Item {n}", "d", "1.00", "unit", None) for n in range(1, count + 1)
    ]
    return data


async def test_create_answers_201_with_the_item_and_get_reads_it_back(api: Api) -> None:
    answer = await api.post("/items.json", json={"item": NEW})
    assert answer.status == 201
    item = answer.json()["item"]
    assert list(item) == ["id", "name", "description", "unit_price", "unit", "tax"]
    assert (item["name"], item["unit_price"], item["unit"]) == ("Item name", 9.99, "service")
    assert item["tax"] == {"name": "IVA23", "value": 23.0}
    assert (await api.get(f"/items/{item['id']}.json")).json() == {"item": item}


async def test_an_item_without_a_tax_gets_the_default_tax(api: Api) -> None:
    body = {key: value for key, value in NEW.items() if key != "tax"}
    answer = await api.post("/items.json", json={"item": body})
    assert answer.json()["item"]["tax"] == {"name": "IVA23", "value": 23.0}


async def test_an_item_naming_an_unknown_tax_is_refused(api: Api, sandbox: Sandbox) -> None:
    before = sandbox.snapshot()
    answer = await api.post("/items.json", json={"item": {**NEW, "tax": {"name": "IVA24"}}})
    assert answer.status == 422
    assert answer.json() == {"errors": [{"error": "Tax IVA24 was not found"}]}
    assert sandbox.snapshot() == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "Consultoria"}, "Name has already been taken"),
        ({"name": ""}, "Name can't be blank"),
        ({"description": None}, "Description can't be blank"),
        ({"unit_price": ""}, "Unit price can't be blank"),
        ({"unit_price": "9,99"}, "Unit price is not a number"),
        ({"unit_price": "-1"}, "Unit price must be greater than or equal to 0"),
        ({"unit_price": "9.999"}, "Unit price must have at most 2 decimal places"),
        ({"unit": "kg"}, "Unit kg is not included in the list of accepted units"),
        ({"unit": ""}, "Unit  is not included in the list of accepted units"),
        ({"tax": "IVA23"}, "Tax is invalid"),
        ({"tax": {"name": "IVA23", "value": 23}}, "Tax is invalid"),
        ({"price": 1}, "found unpermitted parameter: :price"),
    ],
)
async def test_create_refuses_with_422_and_changes_nothing(
    api: Api, sandbox: Sandbox, fields: dict[str, Any], message: str
) -> None:
    before = sandbox.snapshot()
    answer = await api.post("/items.json", json={"item": {**NEW, **fields}})
    assert answer.status == 422
    assert answer.json() == {"errors": [{"error": message}]}
    assert sandbox.snapshot() == before


async def test_create_needs_name_description_price_and_unit(api: Api) -> None:
    answer = await api.post("/items.json", json={"item": {}})
    assert [e["error"] for e in answer.json()["errors"]] == [
        "Name can't be blank",
        "Description can't be blank",
        "Unit price can't be blank",
        "Unit  is not included in the list of accepted units",
    ]


@pytest.mark.parametrize(("price", "shown"), [("9.90", 9.9), (0, 0.0), (1234.5, 1234.5)])
async def test_prices_are_decimals_kept_exactly(
    api: Api, sandbox: Sandbox, price: Any, shown: float
) -> None:
    answer = await api.post("/items.json", json={"item": {**NEW, "unit_price": price}})
    assert answer.json()["item"]["unit_price"] == shown
    stored = sandbox.snapshot()["items"][-1]["unit_price"]
    assert stored == f"{shown:.2f}"


async def test_update_changes_only_the_fields_sent_and_answers_200_empty(api: Api) -> None:
    before = (await api.get("/items/402323.json")).json()["item"]
    body = {"item": {"unit_price": "19.90", "tax": {"name": "IVA13"}}}
    answer = await api.put("/items/402323.json", json=body)
    assert (answer.status, answer.text) == (200, "")
    after = (await api.get("/items/402323.json")).json()["item"]
    assert after == {**before, "unit_price": 19.9, "tax": {"name": "IVA13", "value": 13.0}}


async def test_update_to_another_items_name_is_refused_and_to_its_own_is_not(api: Api) -> None:
    taken = await api.put("/items/402323.json", json={"item": {"name": "Consultoria"}})
    assert taken.json() == {"errors": [{"error": "Name has already been taken"}]}
    same = await api.put("/items/402323.json", json={"item": {"name": "Livro"}})
    assert same.status == 200


async def test_unknown_items_are_404_empty(api: Api) -> None:
    for answer in (
        await api.get("/items/1.json"),
        await api.put("/items/1.json", json={"item": {"unit": "day"}}),
    ):
        assert (answer.status, answer.text) == (404, "")


async def test_an_item_follows_its_tax_when_the_tax_is_renamed(api: Api) -> None:
    answer = await api.put("/taxes/31540.json", json={"tax": {"name": "IVA23N"}})
    assert answer.status == 200
    item = (await api.get("/items/402322.json")).json()["item"]
    assert item["tax"] == {"name": "IVA23N", "value": 23.0}


@pytest.mark.parametrize("sandbox", [Sandbox(data=_with_items(25), rate_limit=0)])
async def test_the_list_is_paginated_as_the_clients_list(api: Api) -> None:
    first = (await api.get("/items.json")).json()
    assert [i["id"] for i in first["items"]] == list(range(1, 11))
    assert first["pagination"] == {
        "current_page": 1, "total_pages": 3, "total_entries": 25, "per_page": 10,
    }  # fmt: skip
    last = (await api.get("/items.json", params={"page": "3", "per_page": "10"})).json()
    assert [i["id"] for i in last["items"]] == list(range(21, 26))
    past = (await api.get("/items.json", params={"page": "4"})).json()
    assert past["items"] == [] and past["pagination"]["current_page"] == 4
    bad = await api.get("/items.json", params={"page": "0", "per_page": "x"})
    assert bad.status == 422
    assert bad.json() == {
        "errors": [
            {"error": "page must be a positive integer"},
            {"error": "per_page must be a positive integer"},
        ]
    }


@pytest.mark.parametrize(
    "sandbox", [Sandbox(data=_with_items(25), rate_limit=0, quirks=Quirks(max_per_page=20))]
)
async def test_quirk_max_per_page_caps_the_items_pages(api: Api) -> None:
    body = (await api.get("/items.json", params={"per_page": "100"})).json()
    assert len(body["items"]) == 20 and body["pagination"]["per_page"] == 20


@pytest.mark.parametrize(
    "sandbox",
    [Sandbox(data=_with_items(25), rate_limit=0, quirks=Quirks(items_without_pagination=True))],
)
async def test_quirk_items_without_pagination_leaves_the_block_out(api: Api) -> None:
    body = (await api.get("/items.json", params={"page": "2"})).json()
    assert list(body) == ["items"]
    assert [i["id"] for i in body["items"]] == list(range(11, 21))


@pytest.mark.parametrize("sandbox", [Sandbox(rate_limit=0, quirks=Quirks(unknown_tax="default"))])
async def test_quirk_unknown_tax_default_applies_the_default_tax(api: Api) -> None:
    answer = await api.post("/items.json", json={"item": {**NEW, "tax": {"name": "IVA24"}}})
    assert answer.status == 201
    assert answer.json()["item"]["tax"] == {"name": "IVA23", "value": 23.0}


@pytest.mark.parametrize("sandbox", [Sandbox(rate_limit=0, quirks=Quirks(unknown_tax="none"))])
async def test_quirk_unknown_tax_none_leaves_the_item_without_tax(api: Api) -> None:
    answer = await api.post("/items.json", json={"item": {**NEW, "tax": {"name": "IVA24"}}})
    assert answer.status == 201
    assert answer.json()["item"]["tax"] is None


@pytest.mark.parametrize("sandbox", [Sandbox(rate_limit=0, quirks=Quirks(text_numbers=True))])
async def test_quirk_text_numbers_sends_item_ids_and_pagination_as_text(api: Api) -> None:
    body = (await api.get("/items.json")).json()
    assert body["items"][0]["id"] == "402322"
    assert body["pagination"]["total_entries"] == "3"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("unknown_tax=default", Quirks(unknown_tax="default")),
        (
            "unknown_tax=none,items_without_pagination",
            Quirks(unknown_tax="none", items_without_pagination=True),
        ),
    ],
)
def test_parse_quirks_reads_the_item_quirks(spec: str, expected: Quirks) -> None:
    assert parse_quirks(spec) == expected


@pytest.mark.parametrize("spec", ["unknown_tax", "unknown_tax=refuse", "unknown_tax=IVA23"])
def test_parse_quirks_refuses_other_unknown_tax_values(spec: str) -> None:
    with pytest.raises(ValueError, match="expected default or none"):
        parse_quirks(spec)
