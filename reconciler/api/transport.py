"""The transport: the one place that does HTTP I/O, with aiohttp, for ``ApiClient``.

A transport sends one request and hands back the raw answer (status, text, Retry-After); it
knows nothing of retries or of what an answer means. aiohttp's exceptions become
``ApiUnavailable`` here, with a description free of URLs (they carry the API key). Tests may
give the client another transport; they mostly run the real one against a local server.

Every answer is untrusted: a request has an overall deadline (connecting, sending, the
headers and the whole body), an answer is read in chunks and refused once it grows past the
size limit (or says beforehand that it will), and a redirect is never followed: only the host
it points at is passed on.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from reconciler.errors import ApiUnavailable

if TYPE_CHECKING:  # imported where used: a plan that needs no API call never loads aiohttp
    import aiohttp

    from reconciler.settings import ToolValues

_HOST_NAME = re.compile(r"[A-Za-z0-9.:-]{1,255}")
READ_CHUNK = 64 * 1024
USER_AGENT = "reconciler (InvoiceXpress declarative configuration)"
_JSON_BODY: Mapping[str, str] = {"Content-Type": "application/json; charset=utf-8"}
_NO_BODY: Mapping[str, str] = {}


@dataclass(frozen=True)
class RawAnswer:
    """An HTTP answer as it came: status, body text, the Retry-After it asked for, and for a
    redirect (never followed) only the host it pointed at."""

    status: int
    text: str
    retry_after: float | None = None
    redirect_to: str | None = None


class Transport(Protocol):
    """Sends one request to the API; opened before the first and closed after the last."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def send(
        self, method: str, path: str, query: Mapping[str, str], data: bytes | None
    ) -> RawAnswer: ...


class AiohttpTransport:
    """A ``Transport`` over one aiohttp session with the timeouts and pool size of the settings."""

    def __init__(self, base_url: str, settings: ToolValues) -> None:
        self._base_url = base_url.rstrip("/")
        self._settings = settings
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        import aiohttp

        timeout = aiohttp.ClientTimeout(
            total=self._settings.request_deadline,
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
        headers = _JSON_BODY if data is not None else _NO_BODY
        try:
            async with self._session.request(
                method,
                self._base_url + path,
                params=query,
                data=data,
                headers=headers,
                allow_redirects=False,
            ) as response:
                if 300 <= response.status < 400:
                    where = _redirect_host(response.headers.get("Location"), self._base_url)
                    return RawAnswer(response.status, "", redirect_to=where)
                body = await _read_within(response, self._settings.max_response_bytes)
                if body is None:
                    response.close()
                    limit = self._settings.max_response_bytes
                    raise ApiUnavailable(_too_large(limit), method, path)
                text = _decode(body, response)
                return RawAnswer(response.status, text, _retry_after(response.headers))
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise ApiUnavailable(_describe(exc, self._settings), method, path) from None


async def _read_within(response: aiohttp.ClientResponse, limit: int) -> bytes | None:
    """The whole body, read a chunk at a time; None as soon as it is known to exceed
    ``limit`` bytes (from its Content-Length, or once ``limit + 1`` bytes have arrived)."""
    declared = response.content_length
    if declared is not None and declared > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while chunk := await response.content.read(min(READ_CHUNK, limit + 1 - size)):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(body: bytes, response: aiohttp.ClientResponse) -> str:
    """The body as text, in the charset it names (UTF-8 when it names none or an unknown one)."""
    try:
        return body.decode(response.charset or "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _too_large(limit: int) -> str:
    return (
        f"the answer is larger than the {limit:,}-byte limit (RECONCILER_MAX_RESPONSE_BYTES); "
        "it was not read"
    )


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date; fall back to the backoff schedule


def _redirect_host(location: str | None, base_url: str) -> str:
    """Where a redirect pointed: its host and port only, never the path or query (they may
    carry anything); a relative location points at the API's own host."""
    if not location:
        return "nowhere (no Location)"
    try:
        parts = urlsplit(location if urlsplit(location).netloc else base_url)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return "an unreadable location"
    if not _HOST_NAME.fullmatch(host):
        return "an unreadable location"
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}" if port is not None else host


def _describe(exc: BaseException, settings: ToolValues) -> str:
    """A short description of a transport failure, free of URLs (they carry the API key)."""
    import aiohttp

    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return f"timed out connecting to the API ({settings.connect_timeout:g} s)"
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return f"timed out waiting for the API ({settings.read_timeout:g} s without data)"
    if isinstance(exc, asyncio.TimeoutError):
        return (
            f"no complete answer within the {settings.request_deadline:g} s deadline "
            "(RECONCILER_REQUEST_DEADLINE)"
        )
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "the server closed the connection without answering"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot connect to {exc.host}:{exc.port} ({exc.os_error.strerror or 'refused'})"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "the answer was cut off"
    if isinstance(exc, aiohttp.ClientOSError):
        return f"connection error ({exc.strerror or 'reset'})"
    return f"connection error ({type(exc).__name__})"
