"""Quirks: a smaller page cap, numbers sent as text, credentials not read back."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import pytest

from reconciler.sandbox import Quirks, Sandbox, demo_data, parse_quirks
from reconciler.sandbox.demo import new_client

if TYPE_CHECKING:
    from tests.sandbox.conftest import Api

CREDENTIALS = {
    "username": "999999990/1",
    "password": base64.b64encode(b"secret-pw1").decode(),
}


def _with_clients(count: int) -> dict[str, Any]:
    data = demo_data()
    data["clients"] = [
        {**new_client(n), "name": f"Client {n}", "code": f"K{n}"} for n in range(1, count + 1)
    ]
    return data


def test_parse_quirks() -> None:
    assert parse_quirks("") == Quirks()
    assert parse_quirks(" max_per_page=30 , text_numbers,hide_credentials") == Quirks(
        max_per_page=30, text_numbers=True, hide_credentials=True
    )


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [
        ("strings", "unknown quirk 'strings'"),
        ("max_per_page=0", "whole number from 1"),
        ("max_per_page=x", "whole number from 1"),
        ("max_per_page", "whole number from 1"),
        ("text_numbers=1", "takes no value"),
        ("text_numbers,text_numbers", "more than once"),
    ],
)
def test_parse_quirks_rejects_bad_specs(spec: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        parse_quirks(spec)


def test_quirks_refuse_a_page_cap_below_one() -> None:
    with pytest.raises(ValueError, match="max_per_page"):
        Quirks(max_per_page=0)


@pytest.mark.parametrize(
    "sandbox", [Sandbox(data=_with_clients(70), rate_limit=0, quirks=Quirks(max_per_page=30))]
)
async def test_page_size_is_capped_below_what_was_asked(api: Api, sandbox: Sandbox) -> None:
    seen: list[int] = []
    for page in (1, 2, 3):
        answer = await api.get("/clients.json", params={"page": str(page), "per_page": "100"})
        body = answer.json()
        assert body["pagination"] == {
            "current_page": page,
            "total_pages": 3,
            "total_entries": 70,
            "per_page": 30,
        }
        seen += [client["id"] for client in body["clients"]]
    assert seen == list(range(1, 71))
    default = (await api.get("/clients.json")).json()["pagination"]
    assert default["per_page"] == 10  # below the cap: as asked
    sandbox.quirks.max_per_page = 100  # changed for the rest of the run
    whole = (await api.get("/clients.json", params={"per_page": "100"})).json()
    assert len(whole["clients"]) == 70


@pytest.mark.parametrize("sandbox", [Sandbox(rate_limit=0, quirks=Quirks(text_numbers=True))])
async def test_text_numbers_send_ids_and_pagination_as_strings(api: Api) -> None:
    listed = (await api.get("/clients.json")).json()
    assert listed["pagination"] == {
        "current_page": "1",
        "total_pages": "1",
        "total_entries": "3",
        "per_page": "10",
    }
    assert [client["id"] for client in listed["clients"]] == ["42", "43", "44"]
    assert (await api.get("/clients/42.json")).json()["client"]["id"] == "42"
    found = await api.get("/clients/find-by-code.json", params={"client_code": "C-0044"})
    assert found.json()["client"]["id"] == "44"
    created = await api.post("/clients.json", json={"client": {"name": "N", "code": "N"}})
    assert created.json()["client"]["id"] == "45"
    assert (await api.get("/api/accounts/12345/get.json")).json()["account"]["id"] == "12345"
    sequences = (await api.get("/sequences.json")).json()["sequences"]
    assert [s["id"] for s in sequences] == ["146090", "146110", "146130"]
    assert sequences[0]["current_invoice_sequence_id"] == 146090  # per-type ids stay numbers
    one = (await api.get("/sequences/146110.json")).json()["sequence"]
    assert one["id"] == "146110"


async def test_numbers_are_numbers_by_default(api: Api) -> None:
    listed = (await api.get("/clients.json")).json()
    assert all(isinstance(value, int) for value in listed["pagination"].values())
    assert [client["id"] for client in listed["clients"]] == [42, 43, 44]
    assert listed["clients"][0]["send_options"] == "1"  # as the Get Client spec shows it
    assert (await api.get("/api/accounts/12345/get.json")).json()["account"]["id"] == 12345
    sequences = (await api.get("/sequences.json")).json()["sequences"]
    assert [s["id"] for s in sequences] == [146090, 146110, 146130]


async def test_hidden_credentials_are_written_but_not_read_back(api: Api, sandbox: Sandbox) -> None:
    path = "/api/accounts/12345/update.json"
    shown = (await api.put(path, json={"account": {"credentials": CREDENTIALS}})).json()
    assert shown["account"]["credentials"] == {
        "username": "999999990/1",
        "type": "AT",
        "context": "Sequences",
    }
    sandbox.quirks = Quirks(hide_credentials=True)
    updated = await api.put(path, json={"account": {"city": "Faro"}})
    assert updated.status == 200 and "credentials" not in updated.json()["account"]
    account = (await api.get("/api/accounts/12345/get.json")).json()["account"]
    assert "credentials" not in account
    assert account["city"] == "Faro"
    assert sandbox.snapshot()["account"]["credentials"]["username"] == "999999990/1"
    # Registration still sees the stored credentials.
    assert (await api.put("/sequences/146090/register.json")).status == 200
