"""PUT /sequences/:id/register.json (seed 001), PUT .../set_current.json (seed 000), and reads."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from reconciler.sandbox import Sandbox

if TYPE_CHECKING:
    from tests.sandbox.conftest import Api

# The fields of the seed document's example response, in its order.
SEED_FIELDS = ["id", "serie", "default_sequence"] + [
    f"current_{kind}_{suffix}"
    for kind in (
        "invoice", "invoice_receipt", "simplified_invoice", "credit_note", "debit_note",
        "receipt", "shipping", "transport", "devolution", "proforma", "quote", "fees_note",
        "vat_moss_invoice", "vat_moss_credit_note", "vat_moss_receipt",
    )
    for suffix in ("number", "sequence_id", "validation_code")
]  # fmt: skip
NOT_RELEVANT = ("fees_note", "vat_moss_invoice", "vat_moss_credit_note", "vat_moss_receipt")
CREDENTIALS = {
    "username": "123456789/1",
    "password": "cGFzc3dvcmQ=",
    "type": "AT",
    "context": "Sequences",
}


def _with_credentials(data: dict[str, Any]) -> None:
    data["account"]["credentials"] = dict(CREDENTIALS)


def _sequence(sequence_id: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def pick(data: dict[str, Any]) -> dict[str, Any]:
        return next(s for s in data["sequences"] if s["id"] == sequence_id)

    return pick


def _edit_sequence(sandbox: Sandbox, sequence_id: int, **fields: Any) -> None:
    sandbox.edit(lambda data: _sequence(sequence_id)(data).update(fields))


async def test_register_200_returns_the_sequence_with_codes(api: Api, sandbox: Sandbox) -> None:
    sandbox.edit(_with_credentials)
    answer = await api.put("/sequences/146090/register.json")
    assert answer.status == 200
    body = answer.json()
    assert list(body) == ["sequences"]
    [sequence] = body["sequences"]
    assert list(sequence) == SEED_FIELDS
    assert (sequence["id"], sequence["serie"], sequence["default_sequence"]) == (146090, "2025", 0)
    assert sequence["current_quote_sequence_id"] == 146101
    assert sequence["current_transport_sequence_id"] == 146106
    for key, value in sequence.items():
        if key.endswith("_validation_code"):
            if key.removeprefix("current_").removesuffix("_validation_code") in NOT_RELEVANT:
                assert value == "N/A"
            else:
                assert re.fullmatch(r"[A-Z0-9]{8}", value), (key, value)
    assert (await api.get("/sequences/146090.json")).json() == {"sequence": sequence}


async def test_register_accepts_a_body_and_ignores_it(api: Api, sandbox: Sandbox) -> None:
    sandbox.edit(_with_credentials)
    answer = await api.put(
        "/sequences/146130/register.json", data=b"--x--", headers={"Content-Type": "text/plain"}
    )
    assert answer.status == 200


async def test_register_404_006(api: Api) -> None:
    for path in ("/sequences/1/register.json", "/sequences/abc/register.json"):
        answer = await api.put(path)
        assert answer.status == 404
        assert answer.json() == {"code": "006", "message": "The sequence doesn't exist."}


async def test_register_409_005_when_already_registered(api: Api, sandbox: Sandbox) -> None:
    sandbox.edit(_with_credentials)
    answer = await api.put("/sequences/146110/register.json")
    assert answer.status == 409
    assert answer.json() == {"code": "005", "message": "All sequences are registered."}
    assert (await api.put("/sequences/146090/register.json")).status == 200
    again = await api.put("/sequences/146090/register.json")
    assert (again.status, again.json()["code"]) == (409, "005")


async def test_register_409_008_when_being_registered(api: Api, sandbox: Sandbox) -> None:
    sandbox.edit(_with_credentials)
    _edit_sequence(sandbox, 146090, registering=True)
    answer = await api.put("/sequences/146090/register.json")
    assert answer.status == 409
    assert answer.json() == {"code": "008", "message": "The sequence is already being registered."}


REFUSALS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("001", lambda d: _sequence(146090)(d).update(serie="2025 A"), "Sequence name not allowed."),
    ("001", lambda d: _sequence(146090)(d).update(serie="Série"), "Sequence name not allowed."),
    ("002", lambda d: d["account"].update(credentials=None), "Invalid Tax Authority credentials."),
    (
        "003",
        lambda d: d["account"].update(at_open_activity=False),
        "Account fiscal ID doesn't have open activity in Tax Authority.",
    ),
    ("004", lambda d: d["account"].update(tax_country="3"), "Account is not portuguese."),
    (
        "007",
        lambda d: _sequence(146090)(d).update(current_invoice_validation_code="ABCD1234"),
        "All Sequences are registered in AT.",
    ),
    ("000", lambda d: _sequence(146090)(d).update(at_unknown_error=True), "Unknown error."),
]


@pytest.mark.parametrize(("code", "change", "message"), REFUSALS)
async def test_register_422(
    api: Api, sandbox: Sandbox, code: str, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    sandbox.edit(_with_credentials)
    sandbox.edit(change)
    before = sandbox.snapshot()
    answer = await api.put("/sequences/146090/register.json")
    assert answer.status == 422
    assert answer.json() == {"code": code, "message": message}
    assert sandbox.snapshot() == before


async def test_register_after_credentials_are_set_through_the_api(api: Api) -> None:
    refused = await api.put("/sequences/146090/register.json")
    assert (refused.status, refused.json()["code"]) == (422, "002")
    body = {"account": {"credentials": CREDENTIALS}}
    assert (await api.put("/api/accounts/12345/update.json", json=body)).status == 200
    assert (await api.put("/sequences/146090/register.json")).status == 200


async def test_register_401_empty(api: Api) -> None:
    answer = await api.put("/sequences/146090/register.json", key="wrong")
    assert (answer.status, answer.text) == (401, "")


async def test_set_current_200_empty(api: Api, sandbox: Sandbox) -> None:
    sandbox.edit(_with_credentials)
    assert (await api.put("/sequences/146090/register.json")).status == 200
    # The seed's own example sends a multipart content type and an empty body.
    headers = {"Content-Type": "multipart/form-data; boundary=---011000010111000001101001"}
    answer = await api.put("/sequences/146090/set_current.json", data=b"", headers=headers)
    assert (answer.status, answer.text) == (200, "")
    defaults = {s["id"]: s["default_sequence"] for s in sandbox.snapshot()["sequences"]}
    assert defaults == {146090: 1, 146110: 0, 146130: 0}
    again = await api.put("/sequences/146090/set_current.json")
    assert (again.status, again.text) == (200, "")


async def test_set_current_404_empty(api: Api) -> None:
    for path in ("/sequences/7/set_current.json", "/sequences/x/set_current.json"):
        answer = await api.put(path)
        assert (answer.status, answer.text) == (404, "")


async def test_set_current_422_empty_for_unregistered_portuguese_sequence(
    api: Api, sandbox: Sandbox
) -> None:
    before = sandbox.snapshot()
    answer = await api.put("/sequences/146130/set_current.json")
    assert (answer.status, answer.text) == (422, "")
    assert sandbox.snapshot() == before


async def test_set_current_of_unregistered_sequence_outside_portugal(
    api: Api, sandbox: Sandbox
) -> None:
    sandbox.edit(lambda data: data["account"].update(tax_country="2"))
    assert (await api.put("/sequences/146130/set_current.json")).status == 200


async def test_set_current_401_empty(api: Api) -> None:
    answer = await api.put("/sequences/146110/set_current.json", key=None)
    assert (answer.status, answer.text) == (401, "")


async def test_list_sequences(api: Api) -> None:
    answer = await api.get("/sequences.json")
    assert answer.status == 200
    sequences = answer.json()["sequences"]
    assert [(s["id"], s["serie"], s["default_sequence"]) for s in sequences] == [
        (146090, "2025", 0),
        (146110, "2024", 1),
        (146130, "2026", 0),
    ]
    assert all(list(s) == SEED_FIELDS for s in sequences)
    assert sequences[0]["current_invoice_validation_code"] == "N/D"
    assert sequences[0]["current_fees_note_validation_code"] == "N/A"
    assert re.fullmatch(r"[A-Z0-9]{8}", sequences[1]["current_invoice_validation_code"])


async def test_get_sequence_and_404(api: Api) -> None:
    answer = await api.get("/sequences/146110.json")
    assert answer.status == 200
    assert answer.json()["sequence"]["serie"] == "2024"
    missing = await api.get("/sequences/5.json")
    assert missing.status == 404
    assert missing.json() == {"code": "006", "message": "The sequence doesn't exist."}
