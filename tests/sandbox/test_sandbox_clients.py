"""PUT /clients/:id.json (seed 003) and the clients read and create endpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from reconciler.sandbox import Sandbox, demo_data

if TYPE_CHECKING:
    from tests.sandbox.conftest import Answer, Api

SEED_BODY: dict[str, Any] = {
    "client": {
        "name": "Client Name",
        "code": "12345",
        "email": "foo@bar.com",
        "language": "pt",
        "address": "Avenida da República, Lisboa",
        "city": "Lisboa",
        "postal_code": "1050-555",
        "country": "Portugal",
        "fiscal_id": "508025338",
        "website": "www.invoicexpress.com",
        "phone": "213456789",
        "fax": "213456788",
        "preferred_contact": {
            "name": "Bruce Norris",
            "email": "email@invoicexpress.com",
            "phone": "213456789",
        },
        "observations": "Observations",
        "send_options": "1",
    }
}
CLIENT_42 = {
    "id": 42,
    "name": "Client Name",
    "code": "12345",
    "email": "foo@bar.com",
    "language": "pt",
    "address": "Avenida da República, Lisboa",
    "city": "Lisboa",
    "postal_code": "1050-555",
    "country": "Portugal",
    "fiscal_id": "508025338",
    "website": "www.invoicexpress.com",
    "phone": "213456789",
    "fax": "213456788",
    "preferred_contact": {
        "name": "Bruce Norris",
        "email": "email@invoicexpress.com",
        "phone": "213456789",
    },
    "observations": "Observations",
    "open_account_link": "https://sandbox.app.invoicexpress.com/clients/42/open_account",
    "send_options": "1",
    "payment_days": "0",
    "tax_exemption_code": "M00",
}


def _errors(answer: Answer) -> list[str]:
    assert answer.status == 422, answer
    return [item["error"] for item in answer.json()["errors"]]


def _minimal(**fields: Any) -> dict[str, Any]:
    return {"client": {"name": "Client Name", "code": "12345", **fields}}


async def test_update_documented_example_is_200_empty(api: Api, sandbox: Sandbox) -> None:
    body = {"client": {**SEED_BODY["client"], "city": "Porto", "send_options": 3}}
    answer = await api.put("/clients/42.json", json=body)
    assert (answer.status, answer.text) == (200, "")
    stored = next(c for c in sandbox.snapshot()["clients"] if c["id"] == 42)
    assert (stored["city"], stored["send_options"]) == ("Porto", "3")


async def test_update_is_partial_and_merges_the_contact(api: Api) -> None:
    body = _minimal(preferred_contact={"phone": "999"})
    assert (await api.put("/clients/42.json", json=body)).status == 200
    client = (await api.get("/clients/42.json")).json()["client"]
    assert client["preferred_contact"] == {
        "name": "Bruce Norris",
        "email": "email@invoicexpress.com",
        "phone": "999",
    }
    assert client["website"] == "www.invoicexpress.com"


async def test_update_unknown_client_is_404_empty(api: Api) -> None:
    for path in ("/clients/99.json", "/clients/x1.json", "/clients/-1.json"):
        answer = await api.put(path, json=SEED_BODY)
        assert (answer.status, answer.text) == (404, "")


async def test_update_without_key_is_401_empty(api: Api) -> None:
    answer = await api.put("/clients/42.json", json=SEED_BODY, key="nope")
    assert (answer.status, answer.text) == (401, "")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"client": {"code": "12345"}}, "Name can't be blank"),
        (_minimal(name="  "), "Name can't be blank"),
        ({"client": {"name": "Client Name"}}, "Code can't be blank"),
        (_minimal(email="foo@"), "Email must be an email"),
        (
            _minimal(preferred_contact={"email": "nope"}),
            "Preferred contact: email must be an email",
        ),
        (_minimal(preferred_contact="Bruce"), "Client contact is invalid"),
        (_minimal(preferred_contact={"name": ["Bruce"]}), "Client contact is invalid"),
        (_minimal(language="fr"), "Language is not included in the list"),
        (_minimal(send_options="one"), "Send options is not a number"),
        (_minimal(send_options=None), "Send options is not a number"),
        (_minimal(send_options="4"), "Send options must be within 1 and 3"),
        (_minimal(send_options=0), "Send options must be within 1 and 3"),
        (_minimal(country="Germani"), "Country Germani was not found"),
        (_minimal(country="Cote d'Ivoire"), "Country Cote d'Ivoire was not found"),
        (_minimal(country="Côte d'Ivoire"), "Country Côte d'Ivoire was not found"),
        (_minimal(country="portugal"), "Country portugal was not found"),
        (_minimal(name="Old Customer Ltd"), "Name has already been taken"),
        (_minimal(code="C-0044"), "Code has already been taken"),
        (_minimal(phone={"n": 1}), "Phone is invalid"),
    ],
)
async def test_update_422_messages(
    api: Api, sandbox: Sandbox, body: dict[str, Any], message: str
) -> None:
    before = sandbox.snapshot()
    assert _errors(await api.put("/clients/42.json", json=body)) == [message]
    assert sandbox.snapshot() == before


@pytest.mark.parametrize(
    "country", ["Côte d’Ivoire", "São Tomé and Príncipe", "UK", "Great Britain", "Kosovo"]
)
async def test_exact_country_names_are_accepted(api: Api, country: str) -> None:
    assert (await api.put("/clients/42.json", json=_minimal(country=country))).status == 200
    assert (await api.get("/clients/42.json")).json()["client"]["country"] == country


async def test_every_problem_is_listed(api: Api) -> None:
    body = {"client": {"email": "x", "language": "de", "send_options": "9"}}
    assert _errors(await api.put("/clients/42.json", json=body)) == [
        "Name can't be blank",
        "Code can't be blank",
        "Email must be an email",
        "Language is not included in the list",
        "Send options must be within 1 and 3",
    ]


async def test_keeping_own_name_and_code_is_not_a_duplicate(api: Api) -> None:
    assert (
        await api.put("/clients/44.json", json=_minimal(name="Old Customer Ltd", code="C-0044"))
    ).status == 200


async def test_get_client_shape(api: Api) -> None:
    answer = await api.get("/clients/42.json")
    assert answer.status == 200
    assert answer.json() == {"client": CLIENT_42}


async def test_get_client_with_unset_fields(api: Api) -> None:
    client = (await api.get("/clients/44.json")).json()["client"]
    assert client["address"] == ""
    assert client["preferred_contact"] == {"name": "", "email": "", "phone": ""}
    assert client["send_options"] == "2"
    assert isinstance(client["id"], int)
    assert all(
        isinstance(v, str) for k, v in client.items() if k not in ("id", "preferred_contact")
    )


async def test_get_unknown_client_is_404_empty(api: Api) -> None:
    for path in ("/clients/1.json", "/clients/abc.json"):
        answer = await api.get(path)
        assert (answer.status, answer.text) == (404, "")


async def test_language_may_be_null(api: Api) -> None:
    assert (await api.put("/clients/42.json", json=_minimal(language=None))).status == 200
    assert (await api.get("/clients/42.json")).json()["client"]["language"] is None


async def test_find_by_code(api: Api) -> None:
    found = await api.get("/clients/find-by-code.json", params={"client_code": "C-0043"})
    assert found.status == 200
    assert found.json()["client"]["id"] == 43
    missing = await api.get("/clients/find-by-code.json", params={"client_code": "c-0043"})
    assert (missing.status, missing.text) == (404, "")
    no_code = await api.get("/clients/find-by-code.json")
    assert _errors(no_code) == ["Client code can't be blank"]


async def test_create_client(api: Api, sandbox: Sandbox) -> None:
    body = {"client": {**SEED_BODY["client"], "name": "New Co", "code": "NEW-1"}}
    answer = await api.post("/clients.json", json=body)
    assert answer.status == 201
    client = answer.json()["client"]
    assert client["id"] == 45
    assert client == {
        **CLIENT_42,
        "id": 45,
        "name": "New Co",
        "code": "NEW-1",
        "open_account_link": client["open_account_link"],
    }
    assert (await api.get("/clients/45.json")).json() == {"client": client}
    second = await api.post("/clients.json", json={"client": {"name": "Other", "code": "O"}})
    assert second.json()["client"]["id"] == 46
    assert second.json()["client"]["language"] is None
    assert len(sandbox.snapshot()["clients"]) == 5


async def test_create_validates_like_update(api: Api, sandbox: Sandbox) -> None:
    answer = await api.post(
        "/clients.json", json={"client": {"name": "Client Name", "country": "X"}}
    )
    assert _errors(answer) == [
        "Code can't be blank",
        "Country X was not found",
        "Name has already been taken",
    ]
    assert len(sandbox.snapshot()["clients"]) == 3


def _many_clients(count: int) -> dict[str, Any]:
    data = demo_data()
    data["clients"] = [
        {"id": 100 + i, "name": f"Client {i:02d}", "code": f"K{i:02d}", "send_options": "1"}
        for i in reversed(range(count))
    ]
    return data


@pytest.mark.parametrize("sandbox", [Sandbox(data=_many_clients(25), rate_limit=0)])
async def test_list_pagination(api: Api) -> None:
    seen: list[int] = []
    for page, size in ((1, 10), (2, 10), (3, 5)):
        answer = await api.get("/clients.json", params={"page": str(page)})
        assert answer.status == 200
        body = answer.json()
        assert body["pagination"] == {
            "current_page": page,
            "total_pages": 3,
            "total_entries": 25,
            "per_page": 10,
        }
        assert len(body["clients"]) == size
        seen += [client["id"] for client in body["clients"]]
    assert seen == [100 + i for i in range(25)]
    beyond = (await api.get("/clients.json", params={"page": "4"})).json()
    assert beyond["clients"] == []
    assert beyond["pagination"]["current_page"] == 4


@pytest.mark.parametrize("sandbox", [Sandbox(data=_many_clients(25), rate_limit=0)])
async def test_list_per_page(api: Api) -> None:
    body = (await api.get("/clients.json", params={"page": "2", "per_page": "20"})).json()
    assert [c["name"] for c in body["clients"]] == [f"Client {i:02d}" for i in range(20, 25)]
    assert body["pagination"] == {
        "current_page": 2,
        "total_pages": 2,
        "total_entries": 25,
        "per_page": 20,
    }
    capped = (await api.get("/clients.json", params={"per_page": "1000"})).json()
    assert capped["pagination"]["per_page"] == 100
    assert len(capped["clients"]) == 25


async def test_list_default_shape(api: Api) -> None:
    body = (await api.get("/clients.json")).json()
    assert body["pagination"] == {
        "current_page": 1,
        "total_pages": 1,
        "total_entries": 3,
        "per_page": 10,
    }
    assert body["clients"][0] == CLIENT_42


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"per_page": "-5"}])
async def test_list_rejects_bad_page_parameters(api: Api, params: dict[str, str]) -> None:
    answer = await api.get("/clients.json", params=params)
    assert answer.status == 422
    assert "must be a positive integer" in answer.json()["errors"][0]["error"]


async def test_list_of_no_clients(api: Api, sandbox: Sandbox) -> None:
    sandbox.edit(lambda data: data["clients"].clear())
    body = (await api.get("/clients.json")).json()
    assert body == {
        "clients": [],
        "pagination": {"current_page": 1, "total_pages": 0, "total_entries": 0, "per_page": 10},
    }
