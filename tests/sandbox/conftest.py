"""Fixtures: a sandbox served over real HTTP on loopback, and a small client for it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from reconciler.sandbox import Sandbox

KEY = "sandbox"


@dataclass(frozen=True)
class Answer:
    """What the server answered."""

    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


class Api:
    """Calls the sandbox with the API key in the query string, as the API wants it."""

    def __init__(self, session: aiohttp.ClientSession, base: str, key: str = KEY) -> None:
        self.session = session
        self.base = base
        self.key = key

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: str | bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        key: str | None = KEY,
    ) -> Answer:
        query = dict(params or {})
        if key is not None:
            query["api_key"] = key
        async with self.session.request(
            method, self.base + path, json=json, data=data, headers=headers, params=query
        ) as response:
            text = await response.text()
            return Answer(response.status, dict(response.headers), text)

    async def get(self, path: str, **kwargs: Any) -> Answer:
        return await self.call("GET", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> Answer:
        return await self.call("PUT", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> Answer:
        return await self.call("POST", path, **kwargs)


@pytest.fixture
def sandbox() -> Sandbox:
    """A sandbox over the demo data, without rate limit."""
    return Sandbox(api_key=KEY, rate_limit=0)


@pytest.fixture
async def api(sandbox: Sandbox) -> AsyncIterator[Api]:
    """A client of ``sandbox`` served on a free loopback port.

    Every request opens its own connection: aiohttp's client resends an idempotent request once
    when a reused keep-alive connection is closed, which would blur the fault tests.
    """
    async with sandbox.running() as base:
        connector = aiohttp.TCPConnector(force_close=True)
        async with aiohttp.ClientSession(connector=connector) as session:
            yield Api(session, base)
