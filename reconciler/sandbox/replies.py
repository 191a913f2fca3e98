"""Small helpers for the answers handlers give and the requests they read."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import web

ERROR_BODY_KEY = "errors"


def empty(status: int) -> web.Response:
    """An answer with no body, as most of the API's documented errors are."""
    return web.Response(status=status)


def errors(
    status: int, messages: Iterable[str], headers: dict[str, str] | None = None
) -> web.Response:
    """``{"errors": [{"error": message}, ...]}``, the form the Clients error list suggests."""
    body = {ERROR_BODY_KEY: [{"error": message} for message in messages]}
    return web.json_response(body, status=status, headers=headers)


def coded(status: int, code: str, message: str) -> web.Response:
    """``{"code": "00X", "message": "..."}``, the sequences endpoints' error form."""
    return web.json_response({"code": code, "message": message}, status=status)


def path_id(request: web.Request, name: str) -> int | None:
    """The path's id if it is a plain positive integer, else ``None`` (answered as not found)."""
    text = request.match_info.get(name, "")
    if text.isascii() and text.isdigit() and len(text) < 19:
        return int(text)
    return None


def find(items: list[dict[str, Any]], item_id: int | None) -> dict[str, Any] | None:
    """The record with this id, if any."""
    return next((item for item in items if item.get("id") == item_id), None)


def name_taken_by_other(
    records: list[dict[str, Any]], this: dict[str, Any] | None
) -> Callable[[str], bool]:
    """Whether a record other than ``this`` has the name."""
    return lambda name: any(r.get("name") == name for r in records if r is not this)


def next_id(records: list[dict[str, Any]]) -> int:
    """The id a new record gets: one above the highest."""
    return max((int(r["id"]) for r in records), default=0) + 1


def _not_json(constant: str) -> Any:
    """``NaN`` and ``Infinity`` are Python's extensions, not JSON."""
    raise ValueError(f"{constant} is not JSON")


async def json_root(request: web.Request, root: str) -> dict[str, Any] | web.Response:
    """The body's ``root`` object, or the 415/400 answer explaining what is wrong.

    415 when the content type is not ``application/json`` (parameters such as ``charset`` are
    allowed); 400 when the body is empty, not JSON, not an object, or lacks the ``root`` object.
    """
    if request.content_type != "application/json":
        return errors(415, ["Content-Type must be application/json"])
    raw = await request.read()
    if not raw.strip():
        return errors(400, [f'A JSON body with a "{root}" object is required'])
    try:
        body = json.loads(raw.decode(request.charset or "utf-8"), parse_constant=_not_json)
    except (UnicodeDecodeError, LookupError, ValueError):
        return errors(400, ["The body is not valid JSON"])
    inner = body.get(root) if isinstance(body, dict) else None
    if not isinstance(inner, dict):
        return errors(400, [f'The body must be a JSON object with a "{root}" object'])
    return inner
