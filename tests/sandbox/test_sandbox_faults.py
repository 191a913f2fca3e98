"""Fault injection: 500/503, dropped connections, lost answers, latency, 429 bursts."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import aiohttp
import pytest

from reconciler.sandbox import DROPPED, Faults, Sandbox, parse_faults
from reconciler.sandbox.ratelimit import RateLimiter

if TYPE_CHECKING:
    from tests.sandbox.conftest import Api

RENAME = {"client": {"name": "Renamed", "code": "12345"}}


def _name_of_42(sandbox: Sandbox) -> str:
    return str(next(c["name"] for c in sandbox.snapshot()["clients"] if c["id"] == 42))


def test_parse_faults_full_spec() -> None:
    spec = "error=0.2, drop=0.1,lost=0.05,latency=0.01,burst429=0.02,burst429_length=3,seed=7"
    assert parse_faults(spec) == Faults(
        error_rate=0.2,
        drop_rate=0.1,
        lost_rate=0.05,
        latency=0.01,
        burst429_rate=0.02,
        burst429_length=3,
        seed=7,
    )
    assert parse_faults("") == Faults()
    assert parse_faults("error=1") == Faults(error_rate=1.0)


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [
        ("error", "not key=value"),
        ("error=", "not key=value"),
        ("timeout=1", "unknown fault 'timeout'"),
        ("error=lots", "expected a number"),
        ("error=1.5", "between 0 and 1"),
        ("drop=-0.1", "between 0 and 1"),
        ("latency=-1", "0 or more seconds"),
        ("latency=inf", "0 or more seconds"),
        ("seed=x", "whole number"),
        ("burst429_length=0", "at least 1"),
        ("burst429_at=0", "at least 1"),
        ("error=0.1,error=0.2", "more than once"),
    ],
)
def test_parse_faults_rejects_bad_specs(spec: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        parse_faults(spec)


@pytest.mark.parametrize("sandbox", [Sandbox(rate_limit=0, faults=Faults(error_rate=1, seed=4))])
async def test_error_faults_answer_500_or_503_and_change_nothing(
    api: Api, sandbox: Sandbox
) -> None:
    statuses = set()
    for _ in range(12):
        answer = await api.put("/clients/42.json", json=RENAME)
        statuses.add(answer.status)
        assert answer.json()["errors"][0]["error"]
        if answer.status == 503:
            assert answer.headers["Retry-After"] == "1"
    assert statuses == {500, 503}
    assert _name_of_42(sandbox) == "Client Name"
    assert {r.status for r in sandbox.requests} == {500, 503}


async def test_drop_resets_the_connection_and_changes_nothing(api: Api, sandbox: Sandbox) -> None:
    sandbox.faults = Faults(drop_rate=1.0, seed=1)
    with pytest.raises((aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
        await api.put("/clients/42.json", json=RENAME)
    with pytest.raises((aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
        await api.get("/clients.json")
    assert _name_of_42(sandbox) == "Client Name"
    # aiohttp's client resends an idempotent request (GET, PUT) once after a disconnection.
    assert [(r.method, r.status) for r in sandbox.requests] == [
        ("PUT", DROPPED),
        ("PUT", DROPPED),
        ("GET", DROPPED),
        ("GET", DROPPED),
    ]
    sandbox.faults.drop_rate = 0
    assert (await api.get("/clients.json")).status == 200


async def test_lost_answer_keeps_the_change(api: Api, sandbox: Sandbox) -> None:
    sandbox.faults = Faults(lost_rate=1.0, seed=1)
    with pytest.raises((aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
        await api.put("/clients/42.json", json=RENAME)
    assert _name_of_42(sandbox) == "Renamed"
    with pytest.raises((aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
        await api.post("/clients.json", json={"client": {"name": "New", "code": "N"}})
    assert len(sandbox.snapshot()["clients"]) == 4
    # Reads are never "lost".
    assert (await api.get("/clients/42.json")).json()["client"]["name"] == "Renamed"
    # The PUT was resent once by aiohttp's client (and lost again); the POST was not resent.
    assert [(r.method, r.status) for r in sandbox.requests] == [
        ("PUT", DROPPED),
        ("PUT", DROPPED),
        ("POST", DROPPED),
        ("GET", 200),
    ]


async def test_a_lost_registration_is_seen_as_already_registered(
    api: Api, sandbox: Sandbox
) -> None:
    sandbox.edit(lambda data: data["account"].update(credentials={"username": "123456789/1"}))
    sandbox.faults = Faults(lost_rate=1.0)
    with pytest.raises((aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
        await api.put("/sequences/146090/register.json")
    sandbox.faults.lost_rate = 0
    answer = await api.put("/sequences/146090/register.json")
    assert (answer.status, answer.json()["code"]) == (409, "005")
    assert [r.status for r in sandbox.requests] == [DROPPED, DROPPED, 409]


async def test_latency_is_added(api: Api, sandbox: Sandbox) -> None:
    sandbox.faults = Faults(latency=0.2)
    started = time.monotonic()
    answer = await api.get("/sequences.json")
    assert answer.status == 200
    assert time.monotonic() - started >= 0.2


async def test_burst_of_429_then_success(api: Api, sandbox: Sandbox) -> None:
    sandbox.faults = Faults(burst429_rate=1.0, burst429_length=3, seed=2)
    first = await api.get("/sequences.json")
    sandbox.faults.burst429_rate = 0  # no new burst; the one started runs its course
    rest = [await api.get("/sequences.json") for _ in range(3)]
    statuses = [answer.status for answer in [first, *rest]]
    assert statuses == [429, 429, 429, 200]
    assert all(answer.headers["Retry-After"] == "1" for answer in [first, *rest[:2]])


async def test_a_burst_of_429_can_start_at_a_given_request(api: Api, sandbox: Sandbox) -> None:
    sandbox.faults = parse_faults("burst429_at=2,burst429_length=1")
    answers = [await api.get("/sequences.json") for _ in range(4)]
    assert [answer.status for answer in answers] == [200, 429, 200, 200]
    assert answers[1].headers["Retry-After"] == "1"


async def test_faults_spare_unauthenticated_requests(api: Api, sandbox: Sandbox) -> None:
    sandbox.faults = Faults(drop_rate=1.0, error_rate=1.0)
    answer = await api.get("/sequences.json", key="wrong")
    assert (answer.status, answer.text) == (401, "")


async def test_same_seed_same_faults() -> None:
    def run() -> list[object]:
        sandbox = Sandbox(rate_limit=0, faults=Faults(error_rate=0.5, drop_rate=0.2, seed=11))
        injector = sandbox._context.injector
        return [injector.before() for _ in range(50)]

    assert run() == run()
    assert len(set(run())) == 4


def test_rate_limiter_window_slides() -> None:
    now = [1000.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert limiter.admit("k") is None
    now[0] += 30
    assert limiter.admit("k") is None
    assert limiter.admit("k") == 30
    assert limiter.admit("other") is None
    now[0] += 29.5
    assert limiter.admit("k") == 1
    now[0] += 0.5
    assert limiter.admit("k") is None
    assert limiter.admit("k") == 30


def test_rate_limiter_window_can_be_shorter_than_a_minute() -> None:
    now = [1000.0]
    limiter = RateLimiter(2, clock=lambda: now[0], window=2.0)
    assert limiter.admit("k") is None and limiter.admit("k") is None
    assert limiter.admit("k") == 2
    now[0] += 1.5
    assert limiter.admit("k") == 1  # whole seconds, at least 1
    now[0] += 0.5
    assert limiter.admit("k") is None
    with pytest.raises(ValueError, match="window"):
        RateLimiter(2, window=0)
