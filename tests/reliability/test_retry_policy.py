"""The client's retry policy, against a real server answering a scripted run of statuses.

Most requests succeed at once, so the policy is set up only when a first attempt fails; these
tests hold what it does from there: how many attempts, which failures are retried, how a
Retry-After beyond the budget ends the retrying, and that a POST is resent only on 429.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import AbstractContextManager

import pytest
from aiohttp import web
from pydantic import SecretStr

from reconciler.api.api_client import ApiClient
from reconciler.errors import ApiError, RetryableError
from reconciler.settings import ToolSettings
from tests.support.hostile import Seen, serving


def _scripted(
    statuses: list[int], seen: Seen, retry_after: str | None = None
) -> AbstractContextManager[str]:
    """Serve ``statuses`` in turn (then 200 for ever); yields the base URL."""
    answers = iter(statuses)

    async def handler(request: web.Request) -> web.StreamResponse:
        await seen.note(request)
        status = next(answers, 200)
        headers = {"Retry-After": retry_after} if retry_after and status == 429 else {}
        body = b"{}" if status == 200 else b'{"errors": ["busy"]}'
        return web.Response(status=status, body=body, headers=headers)

    return serving(handler)


def _request(base_url: str, settings: ToolSettings, method: str = "PUT") -> object:
    async def go() -> object:
        async with ApiClient(base_url, SecretStr("key-for-tests"), settings) as client:
            return await client.request(
                method, "/clients/1.json", body={"client": {}}, idempotent=method != "POST"
            )

    return asyncio.run(go())


SETTINGS = ToolSettings(rate_limit=0, max_attempts=4, retry_backoff=0.01, retry_max_wait=0.05)


@pytest.mark.parametrize("failures", [0, 1, 3])
def test_retryable_failures_are_retried_until_an_answer(failures: int) -> None:
    seen = Seen()
    with _scripted([503] * failures, seen) as base_url:
        answer = _request(base_url, SETTINGS)
    assert getattr(answer, "status", None) == 200
    assert len(seen.requests) == failures + 1


def test_attempts_stop_at_the_configured_number() -> None:
    seen = Seen()
    with _scripted([503] * 10, seen) as base_url, pytest.raises(RetryableError):
        _request(base_url, SETTINGS)
    assert len(seen.requests) == 4


def test_an_answer_that_cannot_change_is_not_retried() -> None:
    seen = Seen()
    with _scripted([422], seen) as base_url, pytest.raises(ApiError) as raised:
        _request(base_url, SETTINGS)
    assert raised.value.status == 422
    assert len(seen.requests) == 1


def test_a_post_is_resent_on_429_only() -> None:
    seen = Seen()
    with _scripted([429, 503, 503], seen) as base_url, pytest.raises(RetryableError) as raised:
        _request(base_url, SETTINGS, method="POST")
    assert raised.value.status == 503
    assert len(seen.requests) == 2


def test_a_retry_after_beyond_the_budget_ends_the_retrying_at_once() -> None:
    seen = Seen()
    settings = ToolSettings(rate_limit=0, max_attempts=5, retry_budget=2, retry_backoff=0.01)
    started = time.monotonic()
    with (
        _scripted([429] * 5, seen, retry_after="30") as base_url,
        pytest.raises(RetryableError),
    ):
        _request(base_url, settings)
    assert len(seen.requests) == 1
    assert time.monotonic() - started < 30  # it did not sleep through the Retry-After


def test_a_retry_after_within_the_budget_is_waited_out() -> None:
    seen = Seen()
    settings = ToolSettings(rate_limit=0, max_attempts=5, retry_budget=10, retry_backoff=0.01)
    started = time.monotonic()
    with _scripted([429], seen, retry_after="1") as base_url:
        answer = _request(base_url, settings)
    assert getattr(answer, "status", None) == 200
    assert len(seen.requests) == 2
    assert time.monotonic() - started >= 1
