"""The InvoiceXpress API client: policy over a transport (retries, rate limit, error mapping).

The client decides what to send, when to retry and what an answer means; the transport
(``api.transport``) does the I/O and converts its library's exceptions, once, into the
package's own. Messages name the method and path only: the API key travels in the query
string and never appears in an error, a log line or an exception's chain. Secret values in
request bodies are revealed only while the body is serialized for sending. A server's text
becomes part of an error only through the client's ``Redactor`` (every secret in play
replaced, the text cut to a bounded length).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from reconciler.api.pacer import Pacer
from reconciler.api.transport import AiohttpTransport, Transport
from reconciler.core.pacing import Pacing
from reconciler.core.redaction import Redactor
from reconciler.errors import ApiError, ApiUnavailable, RetryableError
from reconciler.settings import check_url_is_safe

if TYPE_CHECKING:  # tenacity is imported when a request fails: most runs never retry
    from tenacity import RetryCallState

    from reconciler.settings import ToolValues

log = logging.getLogger(__name__)

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
CODE_LIMIT = 40


@dataclass(frozen=True)
class Answer:
    """A successful answer: its status and its parsed JSON body (None when empty)."""

    status: int
    body: Any


def api_code(body: Any) -> str | None:
    """The API's error code, where the answer carries one."""
    if isinstance(body, Mapping) and isinstance(body.get("code"), str | int):
        return str(body["code"])
    return None


def reveal(value: object) -> object:
    """JSON fallback that turns a SecretStr into its value: used only to send a request."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    raise TypeError(f"cannot serialize {type(value).__name__}")


def api_message(body: Any, text: str = "") -> str:
    """The API's own error text, from any of the shapes the API has used over time."""
    if isinstance(body, Mapping):
        if "message" in body:
            code = body.get("code")
            return f"{body['message']} (code {code})" if code else str(body["message"])
        errors = body.get("errors", body.get("error"))
        return _flatten_errors(errors) or text.strip()
    if isinstance(body, list):
        return _flatten_errors(body)
    return text.strip()


def _flatten_errors(errors: Any) -> str:
    if isinstance(errors, str):
        return errors
    if isinstance(errors, list):
        return "; ".join(filter(None, (_flatten_errors(e) for e in errors)))
    if isinstance(errors, Mapping):
        parts = []
        for field, value in errors.items():
            text = _flatten_errors(value)
            parts.append(text if field == "error" else f"{field}: {text}")
        return "; ".join(parts)
    return "" if errors is None else str(errors)


class _Wait:
    """Exponential backoff with jitter, or the server's Retry-After when it gave one."""

    def __init__(self, first: float, longest: float) -> None:
        from tenacity import wait_exponential, wait_random

        self._backoff = wait_exponential(multiplier=first, max=longest) + wait_random(0, first)

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, RetryableError) and error.retry_after is not None:
            return error.retry_after
        return float(self._backoff(retry_state))


class _RetryAfterBeyondBudget:
    """Stop at once when the server asks to wait longer than the retry budget has left."""

    def __init__(self, budget: float) -> None:
        self._budget = budget

    def __call__(self, retry_state: RetryCallState) -> bool:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        if not isinstance(error, RetryableError) or error.retry_after is None:
            return False
        elapsed = retry_state.seconds_since_start or 0.0
        return elapsed + error.retry_after > self._budget


class ApiClient:
    """An async client of one InvoiceXpress account. Use as ``async with ApiClient(...)``."""

    def __init__(
        self,
        base_url: str,
        api_key: SecretStr,
        settings: ToolValues,
        transport: Transport | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        check_url_is_safe(base_url)
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._redact = (redactor or Redactor()).with_secrets(api_key)
        self._settings = settings
        self._pacer = _pacer(settings)
        self._transport = transport or AiohttpTransport(self._base_url, settings)

    def __repr__(self) -> str:
        return f"ApiClient(base_url={self._base_url!r})"

    @property
    def pacing(self) -> Pacing | None:
        """The rate this client keeps and what it learned from 429s; ``None`` when unlimited."""
        return self._pacer.pacing if self._pacer is not None else None

    async def __aenter__(self) -> ApiClient:
        await self._transport.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._transport.close()

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> Answer:
        """Send one request, retrying what is safe to retry within the retry budget.

        A non-idempotent request (POST) is retried only on 429, where the server says it did
        nothing; a lost answer to it is reported, never resent blindly.
        """
        started = time.monotonic()
        try:  # most requests succeed at once: the retry policy is set up only when one fails
            return await self._send_once(method, path, body, params)
        except Exception as error:
            if not _should_retry(error, idempotent):
                raise
            failed: Exception | None = error
        # tenacity takes over as if it had made the first attempt: that attempt's error is its
        # first outcome, and the budget left is what the first attempt did not use.
        from tenacity import (
            AsyncRetrying,
            retry_if_exception,
            stop_after_attempt,
            stop_after_delay,
        )

        budget = self._settings.retry_budget - (time.monotonic() - started)
        stops = (
            stop_after_attempt(self._settings.max_attempts),
            stop_after_delay(budget),
            _RetryAfterBeyondBudget(budget),
        )
        retrying = AsyncRetrying(
            stop=lambda state: any(stop(state) for stop in stops),
            wait=_Wait(self._settings.retry_backoff, self._settings.retry_max_wait),
            retry=retry_if_exception(lambda e: _should_retry(e, idempotent)),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                if failed is not None:
                    first, failed = failed, None
                    raise first
                return await self._send_once(method, path, body, params)
        raise AssertionError("unreachable: tenacity re-raises the last error")

    async def _send_once(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None,
        params: Mapping[str, str] | None,
    ) -> Answer:
        query = {**(params or {}), "api_key": self._api_key.get_secret_value()}
        data = None if body is None else json.dumps(body, default=reveal).encode("utf-8")
        pacer = self._pacer
        generation = await pacer.wait() if pacer is not None else 0
        log.debug("%s %s", method, path)
        raw = await self._transport.send(method, path, query, data)
        log.debug("%s %s -> %s", method, path, raw.status)
        if pacer is not None:
            if raw.status == 429:
                pacer.refused(generation, raw.retry_after)
            else:
                pacer.answered(generation)
        if raw.redirect_to is not None:
            # Never followed: it would resend the key and the body to wherever it points.
            message = f"redirect to {raw.redirect_to}, which is never followed"
            raise ApiError(raw.status, self._redact.shown(message), method, path)
        parsed = _parse_json(raw.text)
        if 200 <= raw.status < 300:
            return Answer(raw.status, parsed)
        # The server's text enters the package here, and only redacted and cut.
        message = self._redact.shown(api_message(parsed, raw.text)) or _reason_phrase(raw.status)
        if raw.status in RETRYABLE_STATUSES:
            raise RetryableError(raw.status, message, method, path, raw.retry_after)
        code = api_code(parsed)
        shown_code = None if code is None else self._redact.shown(code, CODE_LIMIT)
        raise ApiError(raw.status, message, method, path, shown_code)


def _should_retry(error: BaseException, idempotent: bool) -> bool:
    if isinstance(error, RetryableError):
        return idempotent or error.status == 429
    return isinstance(error, ApiUnavailable) and idempotent


def _pacer(settings: ToolValues) -> Pacer | None:
    """A pace starting at ``rate_limit`` per minute, counted over ``rate_window`` seconds as the
    API counts it; none when the limit is 0 (off)."""
    if settings.rate_limit <= 0:
        return None
    per_window = settings.rate_limit * settings.rate_window / 60
    return Pacer(Pacing(ceiling=per_window, window=settings.rate_window))


def _parse_json(text: str) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def _reason_phrase(status: int) -> str:
    phrases = {
        401: "Access denied: the API key is missing or wrong",
        404: "Not found",
        409: "Conflict",
        422: "Unprocessable entity (the API gave no reason)",
        429: "Too many requests",
    }
    return phrases.get(status, f"HTTP {status}")
