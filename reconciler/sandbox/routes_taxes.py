"""Taxes: list, get, create and update; the account has exactly one default tax."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from reconciler.sandbox import replies
from reconciler.sandbox.context import CONTEXT
from reconciler.sandbox.taxes import apply_default, check_tax, new_tax, tax_view

routes = web.RouteTableDef()


def _by_id(data: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(data["taxes"], key=lambda tax: int(tax["id"]))


@routes.get("/taxes.json")
async def list_taxes(request: web.Request) -> web.Response:
    """``{"taxes": [...]}``, every tax ordered by id (the docs name no pagination)."""
    context = request.app[CONTEXT]

    def read(data: dict[str, Any]) -> web.Response:
        return web.json_response({"taxes": [tax_view(t, context.quirks) for t in _by_id(data)]})

    return context.store.read(read)


@routes.get("/taxes/{tax_id}.json")
async def get_tax(request: web.Request) -> web.Response:
    """``{"tax": {...}}``; 404 with no body for an unknown id."""
    context = request.app[CONTEXT]
    tax_id = replies.path_id(request, "tax_id")

    def read(data: dict[str, Any]) -> web.Response:
        tax = replies.find(data["taxes"], tax_id)
        if tax is None:
            return replies.empty(404)
        return web.json_response({"tax": tax_view(tax, context.quirks)})

    return context.store.read(read)


@routes.post("/taxes.json")
async def create_tax(request: web.Request) -> web.Response:
    """201 ``{"tax": {...}}``; ``default_tax`` 1 makes it the one default tax, and the first tax
    of an account without taxes is the default whatever it says."""
    context = request.app[CONTEXT]
    given = await replies.json_root(request, "tax")
    if isinstance(given, web.Response):
        return given

    def create(data: dict[str, Any]) -> tuple[web.Response, bool]:
        taxes = data["taxes"]
        checked = check_tax(None, given, replies.name_taken_by_other(taxes, None))
        if checked.errors:
            return replies.errors(422, checked.errors), False
        next_id = replies.next_id(taxes)
        tax = new_tax(next_id, checked.changes["name"], checked.changes["value"])
        tax.update(checked.changes)
        taxes.append(tax)
        if tax["default_tax"] == 1 or len(taxes) == 1:
            apply_default(taxes, tax)
        return web.json_response({"tax": tax_view(tax, context.quirks)}, status=201), True

    return context.store.write(create)


@routes.put("/taxes/{tax_id}.json")
async def update_tax(request: web.Request) -> web.Response:
    """200 with no body, as the clients' update; 404 with no body for an unknown id; 422 lists
    problems. The body is checked (400/415) before the id is looked up."""
    context = request.app[CONTEXT]
    given = await replies.json_root(request, "tax")
    if isinstance(given, web.Response):
        return given
    tax_id = replies.path_id(request, "tax_id")

    def update(data: dict[str, Any]) -> tuple[web.Response, bool]:
        taxes = data["taxes"]
        tax = replies.find(taxes, tax_id)
        if tax is None:
            return replies.empty(404), False
        checked = check_tax(tax, given, replies.name_taken_by_other(taxes, tax))
        if checked.errors:
            return replies.errors(422, checked.errors), False
        tax.update(checked.changes)
        if checked.changes.get("default_tax") == 1:
            apply_default(taxes, tax)
        return replies.empty(200), True

    return context.store.write(update)
