"""PUT /api/accounts/:id/update.json (seed 002) and GET /api/accounts/:id/get.json."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import pytest

from reconciler.sandbox import Sandbox

if TYPE_CHECKING:
    from tests.sandbox.conftest import Api

UPDATE = "/api/accounts/12345/update.json"
GET = "/api/accounts/12345/get.json"
CREDENTIALS = {
    "username": "123456789/1",
    "password": "cGFzc3dvcmQ=",
    "type": "AT",
    "context": "Sequences",
}


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


async def test_get_account_shape(api: Api) -> None:
    answer = await api.get(GET)
    assert answer.status == 200
    assert answer.json() == {
        "account": {
            "id": 12345,
            "organization_name": "Sandbox Demo, Lda",
            "first_name": "Ana",
            "last_name": "Silva",
            "email": "demo@sandbox.example",
            "phone": "210000000",
            "fiscal_id": "999999990",
            "address": "Rua Augusta 1",
            "postal_code": "1100-048",
            "city": "Lisboa",
            "tax_country": "1",
            "language": "pt",
            "terms": "1",
            "marketing": "0",
            "credentials": None,
        }
    }


async def test_get_unknown_account_is_404_empty(api: Api) -> None:
    for path in ("/api/accounts/999/get.json", "/api/accounts/abc/get.json"):
        answer = await api.get(path)
        assert (answer.status, answer.text) == (404, "")


async def test_update_documented_example_succeeds(api: Api, sandbox: Sandbox) -> None:
    body = {
        "account": {
            "organization_name": "Your Company Name",
            "fiscal_id": "999999990",
            "address": "Avenida Duque D'Avila, Saldanha",
            "postal_code": "1500-555",
            "city": "Lisbon",
            "email": "email@company.com",
            "terms": 1,
            "credentials": CREDENTIALS,
        }
    }
    answer = await api.put(UPDATE, json=body)
    assert answer.status == 200
    account = answer.json()["account"]
    assert account["city"] == "Lisbon"
    assert account["terms"] == "1"
    assert account["first_name"] == "Ana"  # absent from the body: unchanged
    assert account["credentials"] == {
        "username": "123456789/1",
        "type": "AT",
        "context": "Sequences",
    }
    assert "cGFzc3dvcmQ=" not in answer.text
    stored = sandbox.snapshot()["account"]["credentials"]
    assert stored["password"] == "cGFzc3dvcmQ="
    again = await api.get(GET)
    assert again.json()["account"] == account
    assert "password" not in again.text


async def test_credentials_type_and_context_default(api: Api, sandbox: Sandbox) -> None:
    body = {"account": {"credentials": {"username": "123456789/2", "password": _b64("secret-pw")}}}
    assert (await api.put(UPDATE, json=body)).status == 200
    stored = sandbox.snapshot()["account"]["credentials"]
    assert (stored["type"], stored["context"]) == ("AT", "Sequences")


async def test_update_unknown_account_is_404_empty(api: Api) -> None:
    answer = await api.put("/api/accounts/1/update.json", json={"account": {"city": "Porto"}})
    assert (answer.status, answer.text) == (404, "")


async def test_update_without_key_is_401_empty(api: Api, sandbox: Sandbox) -> None:
    for key in (None, "wrong"):
        answer = await api.put(UPDATE, json={"account": {"city": "Porto"}}, key=key)
        assert (answer.status, answer.text) == (401, "")
    assert sandbox.snapshot()["account"]["city"] == "Lisboa"


def _errors(answer: Any) -> list[str]:
    assert answer.status == 422
    return [item["error"] for item in answer.json()["errors"]]


@pytest.mark.parametrize(
    ("account", "message"),
    [
        ({"postal_code": "1100048"}, "Postal Code must have the following format DDDD-DDD"),
        ({"postal_code": "１１００-048"}, "Postal Code must have the following format DDDD-DDD"),
        ({"fiscal_id": "123456789"}, "Vat Number can't be changed"),
        ({"fiscal_id": ""}, "Vat Number can't be changed"),
        ({"credentials": {"password": "cGFzc3dvcmQ="}}, "Username is not valid."),
        ({"credentials": {"username": "", "password": "cGFzc3dvcmQ="}}, "Username is not valid."),
        (
            {"credentials": {"username": "12345678/1", "password": "cGFzc3dvcmQ="}},
            "Username doesn't match required format.",
        ),
        (
            {"credentials": {"username": "123456789", "password": "cGFzc3dvcmQ="}},
            "Username doesn't match required format.",
        ),
        ({"credentials": {"username": "123456789/1"}}, "Password is not valid."),
        (
            {"credentials": {"username": "123456789/1", "password": "password"}},
            "Password is not valid.",
        ),
        (
            {"credentials": {"username": "123456789/1", "password": _b64("short")}},
            "Password is not valid.",
        ),
        (
            {"credentials": {"username": "123456789/1", "password": _b64("far-too-long-pw")}},
            "Password is not valid.",
        ),
        ({"credentials": {**CREDENTIALS, "type": "at"}}, "Credential type is invalid."),
        ({"credentials": {**CREDENTIALS, "context": "Invoices"}}, "Credential context is invalid."),
        ({"email": "not-an-email"}, "Email must be an email"),
        ({"email": ""}, "Email can't be blank"),
        ({"organization_name": " "}, "Organization name can't be blank"),
        ({"language": "fr"}, "Language is not included in the list"),
        ({"tax_country": "252"}, "Tax country is not included in the list"),
        ({"terms": "yes"}, "Terms is not included in the list"),
        ({"terms": "0"}, "Terms and Conditions must be accepted"),
        ({"terms": 0}, "Terms and Conditions must be accepted"),
        ({"city": ["Lisboa"]}, "City is invalid"),
    ],
)
async def test_update_422_messages(
    api: Api, sandbox: Sandbox, account: dict[str, Any], message: str
) -> None:
    before = sandbox.snapshot()
    answer = await api.put(UPDATE, json={"account": account})
    assert _errors(answer) == [message]
    assert sandbox.snapshot() == before


async def test_vat_number_already_used_in_another_account(api: Api, sandbox: Sandbox) -> None:
    sandbox.edit(lambda data: data["account"].update(fiscal_id=""))
    answer = await api.put(UPDATE, json={"account": {"fiscal_id": "501964843"}})
    assert _errors(answer) == ["Vat Number is already used in another account"]
    assert (await api.put(UPDATE, json={"account": {"fiscal_id": "508025338"}})).status == 200


async def test_same_fiscal_id_is_not_a_change(api: Api) -> None:
    answer = await api.put(UPDATE, json={"account": {"fiscal_id": "999999990"}})
    assert answer.status == 200


async def test_every_problem_is_listed(api: Api) -> None:
    body = {"account": {"postal_code": "X", "fiscal_id": "500000000", "credentials": "x"}}
    assert _errors(await api.put(UPDATE, json=body)) == [
        "Vat Number can't be changed",
        "Vat Number is already used in another account",
        "Postal Code must have the following format DDDD-DDD",
        "Username is not valid.",
        "Password is not valid.",
    ]


async def test_postal_code_rule_is_for_portuguese_accounts_only(api: Api) -> None:
    body = {"account": {"tax_country": "3", "postal_code": "SW1A 1AA"}}
    assert (await api.put(UPDATE, json=body)).status == 200
    answer = await api.put(UPDATE, json={"account": {"tax_country": 1}})
    assert _errors(answer) == ["Postal Code must have the following format DDDD-DDD"]


async def test_login_password_is_checked_and_never_shown(api: Api, sandbox: Sandbox) -> None:
    assert _errors(await api.put(UPDATE, json={"account": {"password": ""}})) == [
        "Password can't be blank"
    ]
    answer = await api.put(UPDATE, json={"account": {"password": "hunter2"}})
    assert answer.status == 200
    assert "hunter2" not in answer.text
    assert "hunter2" not in str(sandbox.snapshot())
