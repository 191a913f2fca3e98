"""Routing, authentication, request bodies, the rate limit and the request log."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from reconciler.sandbox import RecordedRequest, Sandbox, parse_rate_limit

if TYPE_CHECKING:
    from tests.sandbox.conftest import Api

ENDPOINTS = [
    ("GET", "/clients.json"),
    ("GET", "/clients/42.json"),
    ("GET", "/clients/find-by-code.json"),
    ("POST", "/clients.json"),
    ("PUT", "/clients/42.json"),
    ("GET", "/sequences.json"),
    ("GET", "/sequences/146110.json"),
    ("PUT", "/sequences/146090/register.json"),
    ("PUT", "/sequences/146110/set_current.json"),
    ("GET", "/api/accounts/12345/get.json"),
    ("PUT", "/api/accounts/12345/update.json"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("key", [None, "", "wrong", "SANDBOX"])
async def test_missing_or_wrong_key_is_401_empty(
    api: Api, sandbox: Sandbox, method: str, path: str, key: str | None
) -> None:
    before = sandbox.snapshot()
    answer = await api.call(method, path, json={"client": {}}, key=key)
    assert (answer.status, answer.text) == (401, "")
    assert sandbox.snapshot() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/invoices.json"),
        ("GET", "/clients"),
        ("GET", "/clients/42"),
        ("DELETE", "/clients/42.json"),
        ("POST", "/sequences/146090/register.json"),
        ("GET", "/"),
    ],
)
@pytest.mark.parametrize("key", ["sandbox", None])
async def test_unknown_route_is_404_empty_whatever_the_key(
    api: Api, method: str, path: str, key: str | None
) -> None:
    answer = await api.call(method, path, key=key)
    assert (answer.status, answer.text) == (404, "")


WRITES = [
    ("PUT", "/api/accounts/12345/update.json"),
    ("PUT", "/clients/42.json"),
    ("POST", "/clients.json"),
]


@pytest.mark.parametrize(("method", "path"), WRITES)
async def test_write_needs_json_content_type(api: Api, method: str, path: str) -> None:
    root = "account" if "accounts" in path else "client"
    body = b'{"%s": {"name": "X", "code": "Y"}}' % root.encode()
    for headers in ({"Content-Type": "text/plain"}, {}):
        answer = await api.call(method, path, data=body, headers=headers)
        assert answer.status == 415
        assert answer.json() == {"errors": [{"error": "Content-Type must be application/json"}]}


@pytest.mark.parametrize(("method", "path"), WRITES)
@pytest.mark.parametrize(
    "body",
    [b"", b"{not json", b"[1, 2]", b'"text"', b"{}", b'{"x": {}}', b'{"client": {"a": NaN}}'],
)
async def test_write_needs_a_json_object_body(
    api: Api, sandbox: Sandbox, method: str, path: str, body: bytes
) -> None:
    before = sandbox.snapshot()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    answer = await api.call(method, path, data=body, headers=headers)
    assert answer.status == 400
    assert answer.json()["errors"][0]["error"]
    assert sandbox.snapshot() == before


async def test_root_that_is_not_an_object_is_400(api: Api) -> None:
    answer = await api.put("/clients/42.json", json={"client": "Client Name"})
    assert answer.status == 400


async def test_charset_parameter_is_allowed(api: Api) -> None:
    headers = {"Content-Type": "application/json; charset=utf-8"}
    body = '{"client": {"name": "Cliente Ação", "code": "12345"}}'.encode()
    answer = await api.put("/clients/42.json", data=body, headers=headers)
    assert answer.status == 200
    assert (await api.get("/clients/42.json")).json()["client"]["name"] == "Cliente Ação"


@pytest.mark.parametrize("sandbox", [Sandbox(rate_limit=5)])
async def test_rate_limit_answers_429_with_retry_after(api: Api, sandbox: Sandbox) -> None:
    for _ in range(3):
        assert (await api.get("/clients.json", key="wrong")).status == 401  # not counted
    for _ in range(5):
        assert (await api.get("/sequences.json")).status == 200
    answer = await api.put("/clients/42.json", json={"client": {"name": "A", "code": "B"}})
    assert answer.status == 429
    assert 1 <= int(answer.headers["Retry-After"]) <= 60
    assert answer.json() == {
        "errors": [{"error": "Too many requests: the limit is 5 requests per minute"}]
    }
    assert sandbox.snapshot()["clients"][0]["name"] == "Client Name"
    sandbox.rate_limit = 0
    assert (await api.get("/sequences.json")).status == 200
    sandbox.rate_limit = 7  # 5 admitted in this window (none counted while off): 2 more fit
    statuses = [(await api.get("/sequences.json")).status for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_parse_rate_limit() -> None:
    assert parse_rate_limit("780/min") == 780
    assert parse_rate_limit("100") == 100
    assert parse_rate_limit("0") == 0
    for bad in ("", "fast", "10/s", "-1"):
        with pytest.raises(ValueError, match="N/min"):
            parse_rate_limit(bad)


async def test_request_log_records_calls_without_the_key(api: Api, sandbox: Sandbox) -> None:
    await api.get("/clients.json", params={"page": "2"})
    await api.put("/clients/42.json", json={"client": {"name": "N", "code": "C"}})
    await api.put("/sequences/146090/set_current.json", key="wrong")
    await api.get("/nowhere.json")
    assert sandbox.requests == [
        RecordedRequest("GET", "/clients.json", {"page": "2"}, None, 200),
        RecordedRequest("PUT", "/clients/42.json", {}, {"client": {"name": "N", "code": "C"}}, 200),
        RecordedRequest("PUT", "/sequences/146090/set_current.json", {}, None, 401),
        RecordedRequest("GET", "/nowhere.json", {}, None, 404),
    ]
    assert "sandbox" not in repr(sandbox.requests)
    sandbox.clear_requests()
    assert sandbox.requests == []


async def test_request_log_snapshot_is_a_copy(api: Api, sandbox: Sandbox) -> None:
    log = sandbox.requests
    await api.get("/sequences.json")
    assert log == []
    assert len(sandbox.requests) == 1
