"""The transport: the one place that does HTTP I/O, with aiohttp, for ``ApiClient``.

A transport sends one request and hands back the raw answer (status, text, Retry-After); it
knows nothing of retries or of what an answer means. aiohttp's exceptions become
``ApiUnavailable`` here, with a description free of URLs (they carry the API key). Tests may
give the client another transport; they mostly run the real one against a local server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from reconciler.errors import ApiUnavailable
from reconciler.settings import ToolSettings

if TYPE_CHECKING:  # imported where used: a plan that needs no API call never loads aiohttp
    import aiohttp

USER_AGENT = "reconciler (InvoiceXpress declarative configuration)"


@dataclass(frozen=True)
class RawAnswer:
    """An HTTP answer as it came: status, body text, and the Retry-After it asked for."""

    status: int
    text: str
    retry_after: float | None = None


class Transport(Protocol):
    """Sends one request to the API; opened before the first and closed after the last."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def send(
        self, method: str, path: str, query: Mapping[str, str], data: bytes | None
    ) -> RawAnswer: ...


class AiohttpTransport:
    """A ``Transport`` over one aiohttp session with the timeouts and pool size of the settings."""

    def __init__(self, base_url: str, settings: ToolSettings) -> None:
        self._base_url = base_url.rstrip("/")
        self._settings = settings
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        import aiohttp

        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=self._settings.connect_timeout,
            sock_read=self._settings.read_timeout,
        )
        connector = aiohttp.TCPConnector(limit=self._settings.concurrency)
        self._session = aiohttp.ClientSession(
            timeout=timeout,
            connector=connector,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(
        self, method: str, path: str, query: Mapping[str, str], data: bytes | None
    ) -> RawAnswer:
        import aiohttp

        if self._session is None:
            raise RuntimeError("ApiClient used outside 'async with'")
        headers = {"Content-Type": "application/json; charset=utf-8"} if data is not None else {}
        try:
            async with self._session.request(
                method, self._base_url + path, params=query, data=data, headers=headers
            ) as response:
                text = await response.text(errors="replace")
                return RawAnswer(response.status, text, _retry_after(response.headers))
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise ApiUnavailable(_describe(exc), method, path) from None


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date; fall back to the backoff schedule


def _describe(exc: BaseException) -> str:
    """A short description of a transport failure, free of URLs (they carry the API key)."""
    import aiohttp

    if isinstance(exc, asyncio.TimeoutError):
        return "timed out waiting for the API"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "the server closed the connection without answering"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot connect to {exc.host}:{exc.port} ({exc.os_error.strerror or 'refused'})"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "the answer was cut off"
    if isinstance(exc, aiohttp.ClientOSError):
        return f"connection error ({exc.strerror or 'reset'})"
    return f"connection error ({type(exc).__name__})"
