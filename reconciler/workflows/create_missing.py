"""Creating a client exactly once.

``POST /clients.json`` is not idempotent: a request whose answer was lost may have created the
client. So the POST is never resent blindly (the API client retries it only on 429, where the
server says it did nothing); after a lost answer or a server error the client is looked up by
its code, and created again only if it is not there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.api.client import Answer, ApiClient
from reconciler.api.live import find_client_by_code
from reconciler.core import resources as res
from reconciler.core.normalize import client_id
from reconciler.core.plan import Action, Call
from reconciler.errors import ApiError, ApiUnavailable

CREATE_ATTEMPTS = 3


async def send(client: ApiClient, call: Call) -> Answer:
    """Make one planned call; a client creation goes through ``create_client``."""
    if call.action is Action.CREATE_CLIENT:
        return await create_client(client, call)
    return await client.request(call.method, call.path, body=call.body)


async def create_client(client: ApiClient, call: Call, attempts: int = CREATE_ATTEMPTS) -> Answer:
    """POST the client; after an answer that leaves it unknown whether it was created, find it
    by code before trying again. The answer is ``{"client": {...}}`` either way."""
    code = str(call.record["code"])
    for attempt in range(1, attempts + 1):
        try:
            return await client.request(call.method, call.path, body=call.body, idempotent=False)
        except ApiError as error:
            if not _outcome_unknown(error):
                raise
            found = await find_client_by_code(client, code)
            if found is not None:
                return Answer(201, {"client": dict(found)})
            if attempt == attempts:
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def _outcome_unknown(error: ApiError) -> bool:
    """No answer, or a server error: the client may or may not have been created."""
    return isinstance(error, ApiUnavailable) or error.status >= 500


def created_resource(call: Call, answer: Answer) -> str | None:
    """The known-state key of a client just created (``client:<new id>``), else None."""
    if call.action is not Action.CREATE_CLIENT:
        return None
    body: Any = answer.body
    view = body.get("client") if isinstance(body, Mapping) else None
    identifier = client_id(view) if isinstance(view, Mapping) else None
    if identifier is None:
        raise ApiError(answer.status, "unexpected answer: no client id", call.method, call.path)
    return res.client_key(identifier)
