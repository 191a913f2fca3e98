"""The middleware every request passes: recording, routing, auth, rate limit and faults.

Order, for each request:

1. unknown routes (path, or method on a known path) answer 404 with no body, whatever the key;
2. a missing or wrong ``api_key`` answers 401 with no body (not counted by the rate limit);
3. the rate limit answers 429 with ``Retry-After`` once the key's window is full;
4. faults: latency is added, then a 429 burst, a dropped connection or a 500/503 may answer;
5. the handler; for PUT/POST the answer may then be lost (the change stays made).

Every request is recorded, with the status answered (``DROPPED``, 0, when no answer was sent).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from reconciler.sandbox import replies
from reconciler.sandbox.context import CONTEXT, Context
from reconciler.sandbox.faults import Fault
from reconciler.sandbox.recording import DROPPED, RecordedRequest

logger = logging.getLogger(__name__)

WRITES = frozenset({"PUT", "POST"})
# A 429 burst and a 503 say when to come back; one second is a short, honest hint.
FAULT_RETRY_AFTER = "1"


class _Dropped(Exception):
    """The connection is to be reset with no answer."""


async def _body(request: web.Request) -> Any:
    """The request's body as JSON, or ``None`` when it has none or it is not JSON."""
    try:
        raw = await request.read()
        return json.loads(raw) if raw.strip() else None
    except (ValueError, web.HTTPException):
        return None


def _authorized(context: Context, request: web.Request) -> bool:
    given = request.query.get("api_key", "")
    return hmac.compare_digest(given.encode(), context.api_key.encode())


async def _answer(context: Context, request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.match_info.http_exception is not None:
        # Like a Rails router, a method the path doesn't take is "no route" too: 404, not 405.
        return replies.empty(404)
    if not _authorized(context, request):
        return replies.empty(401)
    retry_after = context.limiter.admit(context.api_key)
    if retry_after is not None:
        limit = context.limiter.limit
        return replies.errors(
            429,
            [f"Too many requests: the limit is {limit} requests per minute"],
            {"Retry-After": str(retry_after)},
        )
    injector = context.injector
    if injector.latency:
        await asyncio.sleep(injector.latency)
    fault = injector.before()
    if fault is Fault.BURST_429:
        return replies.errors(429, ["Too many requests"], {"Retry-After": FAULT_RETRY_AFTER})
    if fault is Fault.DROP:
        raise _Dropped
    if fault is Fault.ERROR_500:
        return replies.errors(500, ["Internal server error"])
    if fault is Fault.ERROR_503:
        return replies.errors(
            503, ["Service temporarily unavailable"], {"Retry-After": FAULT_RETRY_AFTER}
        )
    response = await handler(request)
    if request.method in WRITES and injector.lose_answer():
        raise _Dropped
    return response


@web.middleware
async def gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer ``request`` through the steps above and record it."""
    context = request.app[CONTEXT]
    body = await _body(request)
    status = DROPPED
    try:
        response = await _answer(context, request, handler)
        status = response.status
        return response
    except _Dropped:
        # Reset the connection before any byte of an answer: the client sees a disconnection.
        # aiohttp then finds the transport closed and writes nothing.
        if request.transport is not None:
            request.transport.abort()
        return replies.empty(500)
    except web.HTTPException as exc:
        # aiohttp's own answers, e.g. 413 for a body over its size limit.
        status = exc.status
        raise
    except Exception:
        # A bug, or a rewrite function that failed: answered like a real server's crash.
        logger.exception("unhandled error answering %s %s", request.method, request.path)
        status = 500
        return replies.errors(500, ["Internal server error"])
    finally:
        query = {key: value for key, value in request.query.items() if key != "api_key"}
        context.log.add(RecordedRequest(request.method, request.path, query, body, status))
