"""Clients: list, get, find by code, create and update."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from reconciler.sandbox import pagination, replies
from reconciler.sandbox.context import CONTEXT
from reconciler.sandbox.demo import new_client
from reconciler.sandbox.validation import check_client
from reconciler.sandbox.views import client_view

routes = web.RouteTableDef()


@routes.get("/clients.json")
async def list_clients(request: web.Request) -> web.Response:
    """One page of clients ordered by id, with ``pagination`` (see ``pagination.py``)."""
    context = request.app[CONTEXT]
    quirks = context.quirks
    asked = pagination.requested(request, quirks)
    if isinstance(asked, web.Response):
        return asked
    page, per_page = asked

    def read(data: dict[str, Any]) -> web.Response:
        clients = sorted(data["clients"], key=lambda client: int(client["id"]))
        shown, block = pagination.page_of(clients, page, per_page, quirks)
        listed = [client_view(client, quirks) for client in shown]
        return web.json_response({"clients": listed, "pagination": block})

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
