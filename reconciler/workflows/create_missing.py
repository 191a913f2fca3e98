"""Creating a resource exactly once.

A create (``POST /clients.json``) is not idempotent: a request whose answer was lost may have
created the resource. So the POST is never resent blindly (the API client retries it only on
429, where the server says it did nothing); after a lost answer or a server error the resource
is looked up by the natural key its kind names (a client's code, a sequence's serie), and
created again only if it is not there. A refusal saying the natural key is taken (a serie's
"has already been taken") is looked up the same way, and the resource found is taken.
"""

from __future__ import annotations

from reconciler.api.api_client import Answer, ApiClient
from reconciler.api.live import find
from reconciler.core.kinds import registry
from reconciler.core.plan import Call
from reconciler.errors import ApiError, ApiUnavailable

CREATE_ATTEMPTS = 3


async def send(client: ApiClient, call: Call) -> Answer:
    """Make one planned call; a create its kind can look up goes through ``create_once``."""
    value = registry.kind_of(call.action).finds_created(call)
    if value is not None:
        return await create_once(client, call, value)
    return await client.request(call.method, call.path, body=call.body)


async def create_once(
    client: ApiClient, call: Call, value: str, attempts: int = CREATE_ATTEMPTS
) -> Answer:
    """POST the resource; after an answer that leaves it unknown whether it was created, find
    it by its natural key ``value`` before trying again. The answer is ``{item_key: {...}}``
    either way."""
    kind = registry.kind_of(call.action)
    reading = kind.reading
    assert reading is not None
    for attempt in range(1, attempts + 1):
        try:
            return await client.request(call.method, call.path, body=call.body, idempotent=False)
        except ApiError as error:
            taken = kind.already_exists(call, error)
            if not taken and not _outcome_unknown(error):
                raise
            found = await find(client, reading, value, natural=kind.natural_key)
            if found is not None:
                return Answer(201, {reading.item_key: dict(found)})
            if taken or attempt == attempts:
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def _outcome_unknown(error: ApiError) -> bool:
    """No answer, or a server error: the resource may or may not have been created."""
    return isinstance(error, ApiUnavailable) or error.status >= 500


def created_resource(call: Call, answer: Answer) -> str | None:
    """The known-state key of a resource just created (``client:<new id>``), else None."""
    try:
        return registry.kind_of(call.action).created_key(call, answer.body)
    except ValueError as error:
        raise ApiError(answer.status, str(error), call.method, call.path) from None


def created_id(call: Call, answer: Answer) -> int:
    """The id the API gave the resource ``call`` just created."""
    identifier = registry.kind_of(call.action).created_id(call, answer.body)
    if identifier is None:
        raise ApiError(answer.status, "unexpected answer: no id", call.method, call.path)
    return identifier
