"""Clients: list, get, find by code, create and update."""

from __future__ import annotations

import math
from typing import Any

from aiohttp import web

from reconciler.sandbox import replies
from reconciler.sandbox.context import CONTEXT
from reconciler.sandbox.demo import new_client
from reconciler.sandbox.validation import check_client
from reconciler.sandbox.views import client_view, shown_number

routes = web.RouteTableDef()

DEFAULT_PER_PAGE = 10


def _positive(request: web.Request, name: str, default: int) -> int | None:
    text = request.query.get(name)
    if text is None:
        return default
    text = text.strip()
    if text.isascii() and text.isdigit() and 0 < int(text) < 2**31:
        return int(text)
    return None


@routes.get("/clients.json")
async def list_clients(request: web.Request) -> web.Response:
    """One page of clients ordered by id, with ``pagination``.

    ``page`` and ``per_page`` must be positive integers (else 422); ``per_page`` above the
    run's ``max_per_page`` (100: the docs name 10, 20 and 30 as account settings and give no
    maximum) is served, and reported, as that maximum; a page past the last one is empty; no
    clients at all means ``total_pages`` 0. The pagination numbers are JSON numbers, as the
    third-party clients read them, or text with ``Quirks.text_numbers``.
    """
    context = request.app[CONTEXT]
    quirks = context.quirks
    page = _positive(request, "page", 1)
    per_page = _positive(request, "per_page", DEFAULT_PER_PAGE)
    problems = [
        f"{name} must be a positive integer"
        for name, value in (("page", page), ("per_page", per_page))
        if value is None
    ]
    if page is None or per_page is None:
        return replies.errors(422, problems)
    per_page = min(per_page, max(1, quirks.max_per_page))

    def read(data: dict[str, Any]) -> web.Response:
        clients = sorted(data["clients"], key=lambda client: int(client["id"]))
        start = (page - 1) * per_page
        numbers = {
            "current_page": page,
            "total_pages": math.ceil(len(clients) / per_page),
            "total_entries": len(clients),
            "per_page": per_page,
        }
        pagination = {key: shown_number(value, quirks) for key, value in numbers.items()}
        shown = [client_view(client, quirks) for client in clients[start : start + per_page]]
        return web.json_response({"clients": shown, "pagination": pagination})

    return context.store.read(read)


# Registered before ``/clients/{client_id}.json`` so that it is not taken for a client id.
@routes.get("/clients/find-by-code.json")
async def find_client_by_code(request: web.Request) -> web.Response:
    """``{"client": {...}}`` for the exact code; 404 with no body when there is none; 422 when
    ``client_code`` is missing or empty."""
    context = request.app[CONTEXT]
    code = request.query.get("client_code", "")
    if not code:
        return replies.errors(422, ["Client code can't be blank"])

    def read(data: dict[str, Any]) -> web.Response:
        client = next((c for c in data["clients"] if c.get("code") == code), None)
        if client is None:
            return replies.empty(404)
        return web.json_response({"client": client_view(client, context.quirks)})

    return context.store.read(read)


@routes.get("/clients/{client_id}.json")
async def get_client(request: web.Request) -> web.Response:
    """``{"client": {...}}``; 404 with no body for an unknown id."""
    context = request.app[CONTEXT]
    client_id = replies.path_id(request, "client_id")

    def read(data: dict[str, Any]) -> web.Response:
        client = context.store.clients.find(client_id)
        if client is None:
            return replies.empty(404)
        return web.json_response({"client": client_view(client, context.quirks)})

    return context.store.read(read)


@routes.post("/clients.json")
async def create_client(request: web.Request) -> web.Response:
    """201 ``{"client": {...}}``; the new id is one above the highest existing id."""
    context = request.app[CONTEXT]
    given = await replies.json_root(request, "client")
    if isinstance(given, web.Response):
        return given

    def create(data: dict[str, Any]) -> tuple[web.Response, bool]:
        clients = context.store.clients
        client = new_client(clients.next_id())
        checked = check_client(client, given, lambda key, value: clients.taken(key, value, None))
        if checked.errors:
            return replies.errors(422, checked.errors), False
        client.update(context.rewritten("client", checked.changes))
        clients.add(client)
        return web.json_response({"client": client_view(client, context.quirks)}, status=201), True

    return context.store.write(create)


@routes.put("/clients/{client_id}.json")
async def update_client(request: web.Request) -> web.Response:
    """200 with no body, as documented; 404 with no body for an unknown id; 422 lists problems.

    The body is checked (400/415) before the id is looked up.
    """
    context = request.app[CONTEXT]
    given = await replies.json_root(request, "client")
    if isinstance(given, web.Response):
        return given
    client_id = replies.path_id(request, "client_id")

    def update(data: dict[str, Any]) -> tuple[web.Response, bool]:
        clients = context.store.clients
        client = clients.find(client_id)
        if client is None:
            return replies.empty(404), False
        checked = check_client(
            client, given, lambda key, value: clients.taken(key, value, by_other_than=client)
        )
        if checked.errors:
            return replies.errors(422, checked.errors), False
        # Only this record changes, and only after every check passed.
        clients.update(client, context.rewritten("client", checked.changes))
        return replies.empty(200), True

    return context.store.write(update)
