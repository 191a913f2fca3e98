"""POST /sequences.json: a new series, registered with the Tax Authority as it is created."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from reconciler.sandbox import DROPPED, Faults, Quirks, Sandbox, parse_quirks
from tests.sandbox.conftest import Api

CREDENTIALS = {
    "username": "123456789/1",
    "password": "cGFzc3dvcmQ=",
    "type": "AT",
    "context": "Sequences",
}
NEW = {"serie": "2027", "default_sequence": "0"}


def _with_credentials(data: dict[str, Any]) -> None:
    data["account"]["credentials"] = dict(CREDENTIALS)


def _codes(sequence: dict[str, Any]) -> list[str]:
    return [v for k, v in sequence.items() if k.endswith("_validation_code") and v != "N/A"]


async def _sequences(api: Api) -> list[dict[str, Any]]:
    sequences: list[dict[str, Any]] = (await api.get("/sequences.json")).json()["sequences"]
    return sequences


async def test_create_answers_201_with_the_registered_sequence(api: Api, sandbox: Sandbox) -> None:
    sandbox.edit(_with_credentials)
    answer = await api.post("/sequences.json", json={"sequence": NEW})
    assert answer.status == 201
    sequence = answer.json()["sequence"]
    assert (sequence["id"], sequence["serie"], sequence["default_sequence"]) == (146150, "2027", 0)
    assert all(code != "N/D" for code in _codes(sequence)) and len(_codes(sequence)) == 11
    assert (await api.get("/sequences/146150.json")).json() == {"sequence": sequence}
    again = await api.put("/sequences/146150/register.json")
    assert again.status == 409 and again.json()["code"] == "005"


async def test_default_sequence_1_makes_it_the_only_default(api: Api, sandbox: Sandbox) -> None:
    sandbox.edit(_with_credentials)
    answer = await api.post("/sequences.json", json={"sequence": {**NEW, "default_sequence": "1"}})
    assert answer.json()["sequence"]["default_sequence"] == 1
    defaults = [s["serie"] for s in await _sequences(api) if s["default_sequence"] == 1]
    assert defaults == ["2027"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"serie": "2025"}, "Serie has already been taken"),
        ({"serie": "20 27"}, "The sequence name is invalid"),
        ({"serie": "SÉRIE"}, "The sequence name is invalid"),
        ({"serie": "ABCDEFGHIJK"}, "The sequence name is invalid"),
        ({"serie": ""}, "Serie can't be blank"),
        ({"serie": None}, "Serie can't be blank"),
        ({"serie": 2027}, "The sequence name is invalid"),
        ({"default_sequence": "yes"}, "Default sequence is not included in the list"),
        ({"serie_number": "2027"}, "found unpermitted parameter: :serie_number"),
    ],
)
async def test_create_refuses_with_422_and_changes_nothing(
    api: Api, sandbox: Sandbox, fields: dict[str, Any], message: str
) -> None:
    sandbox.edit(_with_credentials)
    before = sandbox.snapshot()
    answer = await api.post("/sequences.json", json={"sequence": {**NEW, **fields}})
    assert answer.status == 422
    assert answer.json() == {"errors": [{"error": message}]}
    assert sandbox.snapshot() == before


async def test_a_portuguese_account_without_credentials_cannot_create(
    api: Api, sandbox: Sandbox
) -> None:
    answer = await api.post("/sequences.json", json={"sequence": NEW})
    assert answer.status == 422
    assert answer.json() == {"errors": [{"error": "Invalid Tax Authority credentials."}]}
    assert len(await _sequences(api)) == 3


async def test_without_open_activity_the_series_is_not_created(api: Api, sandbox: Sandbox) -> None:
    sandbox.edit(_with_credentials)
    sandbox.edit(lambda data: data["account"].update(at_open_activity=False))
    answer = await api.post("/sequences.json", json={"sequence": NEW})
    message = "Account fiscal ID doesn't have open activity in Tax Authority."
    assert answer.json() == {"errors": [{"error": message}]}


async def test_a_foreign_account_creates_without_registering(api: Api, sandbox: Sandbox) -> None:
    sandbox.edit(lambda data: data["account"].update(tax_country="2"))
    answer = await api.post("/sequences.json", json={"sequence": {**NEW, "default_sequence": 1}})
    assert answer.status == 201
    sequence = answer.json()["sequence"]
    assert set(_codes(sequence)) == {"N/D"} and sequence["default_sequence"] == 1


@pytest.mark.parametrize(
    "sandbox", [Sandbox(rate_limit=0, quirks=Quirks(sequences_created_unregistered=True))]
)
async def test_quirk_sequences_created_unregistered_leaves_register_to_do(
    api: Api, sandbox: Sandbox
) -> None:
    answer = await api.post("/sequences.json", json={"sequence": NEW})
    assert answer.status == 201
    assert set(_codes(answer.json()["sequence"])) == {"N/D"}
    default = await api.post(
        "/sequences.json", json={"sequence": {"serie": "2028", "default_sequence": "1"}}
    )
    assert default.json() == {
        "errors": [{"error": "Default sequence must be registered with the Tax Authority"}]
    }
    sandbox.edit(_with_credentials)
    registered = await api.put("/sequences/146150/register.json")
    assert registered.status == 200


def test_parse_quirks_reads_sequences_created_unregistered() -> None:
    expected = Quirks(sequences_created_unregistered=True)
    assert parse_quirks("sequences_created_unregistered") == expected


async def test_a_created_series_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    sandbox = Sandbox(data_file=path, rate_limit=0)
    sandbox.edit(_with_credentials)
    async with sandbox.running() as base, aiohttp.ClientSession() as session:
        created = await Api(session, base).post("/sequences.json", json={"sequence": NEW})
        assert created.status == 201
    series = [s["serie"] for s in Sandbox(data_file=path).snapshot()["sequences"]]
    assert series == ["2025", "2024", "2026", "2027"]


async def test_a_lost_creation_is_made_and_its_retry_meets_the_taken_serie(
    api: Api, sandbox: Sandbox
) -> None:
    sandbox.edit(_with_credentials)
    sandbox.faults = Faults(lost_rate=1.0)
    with pytest.raises((aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
        await api.post("/sequences.json", json={"sequence": NEW})
    sandbox.faults.lost_rate = 0
    retried = await api.post("/sequences.json", json={"sequence": NEW})
    assert retried.json() == {"errors": [{"error": "Serie has already been taken"}]}
    assert [r.status for r in sandbox.requests] == [DROPPED, 422]
    assert [s["serie"] for s in await _sequences(api)][-1] == "2027"
