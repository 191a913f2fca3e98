"""Items (the account's catalogue of products and services): list, get, create and update."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from reconciler.sandbox import pagination, replies
from reconciler.sandbox.context import CONTEXT
from reconciler.sandbox.items import check_item, item_view, new_item

routes = web.RouteTableDef()


@routes.get("/items.json")
async def list_items(request: web.Request) -> web.Response:
    """One page of items ordered by id, with ``pagination``, as the clients list (see
    ``pagination.py``); no ``pagination`` block with ``Quirks.items_without_pagination``."""
    context = request.app[CONTEXT]
    quirks = context.quirks
    asked = pagination.requested(request, quirks)
    if isinstance(asked, web.Response):
        return asked
    page, per_page = asked

    def read(data: dict[str, Any]) -> web.Response:
        items = sorted(data["items"], key=lambda item: int(item["id"]))
        shown, block = pagination.page_of(items, page, per_page, quirks)
        body: dict[str, Any] = {"items": [item_view(i, data["taxes"], quirks) for i in shown]}
        if not quirks.items_without_pagination:
            body["pagination"] = block
        return web.json_response(body)

    return context.store.read(read)


@routes.get("/items/{item_id}.json")
async def get_item(request: web.Request) -> web.Response:
    """``{"item": {...}}``; 404 with no body for an unknown id."""
    context = request.app[CONTEXT]
    item_id = replies.path_id(request, "item_id")

    def read(data: dict[str, Any]) -> web.Response:
        item = replies.find(data["items"], item_id)
        if item is None:
            return replies.empty(404)
        return web.json_response({"item": item_view(item, data["taxes"], context.quirks)})

    return context.store.read(read)


@routes.post("/items.json")
async def create_item(request: web.Request) -> web.Response:
    """201 ``{"item": {...}}``; the new id is one above the highest existing id."""
    context = request.app[CONTEXT]
    given = await replies.json_root(request, "item")
    if isinstance(given, web.Response):
        return given

    def create(data: dict[str, Any]) -> tuple[web.Response, bool]:
        items, taxes = data["items"], data["taxes"]
        taken = replies.name_taken_by_other(items, None)
        checked = check_item(None, given, taxes, taken, context.quirks)
        if checked.errors:
            return replies.errors(422, checked.errors), False
        next_id = replies.next_id(items)
        item = new_item(next_id, "", "", "0.00", "", None)
        item.update(checked.changes)
        items.append(item)
        view = item_view(item, taxes, context.quirks)
        return web.json_response({"item": view}, status=201), True

    return context.store.write(create)


@routes.put("/items/{item_id}.json")
async def update_item(request: web.Request) -> web.Response:
    """200 with no body, as the clients' update; 404 with no body for an unknown id; 422 lists
    problems. The body is checked (400/415) before the id is looked up."""
    context = request.app[CONTEXT]
    given = await replies.json_root(request, "item")
    if isinstance(given, web.Response):
        return given
    item_id = replies.path_id(request, "item_id")

    def update(data: dict[str, Any]) -> tuple[web.Response, bool]:
        items = data["items"]
        item = replies.find(items, item_id)
        if item is None:
            return replies.empty(404), False
        taken = replies.name_taken_by_other(items, item)
        checked = check_item(item, given, data["taxes"], taken, context.quirks)
        if checked.errors:
            return replies.errors(422, checked.errors), False
        item.update(checked.changes)
        return replies.empty(200), True

    return context.store.write(update)
