"""``GET /api/accounts/:id/get.json`` and ``PUT /api/accounts/:id/update.json``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from reconciler.sandbox import replies
from reconciler.sandbox.context import CONTEXT
from reconciler.sandbox.validation import check_account
from reconciler.sandbox.views import account_view

routes = web.RouteTableDef()


@routes.get("/api/accounts/{account_id}/get.json")
async def get_account(request: web.Request) -> web.Response:
    """``{"account": {...}}``, never with a password; 404 with no body for another id."""
    context = request.app[CONTEXT]
    account_id = replies.path_id(request, "account_id")

    def read(data: dict[str, Any]) -> web.Response:
        account = data["account"]
        if account.get("id") != account_id:
            return replies.empty(404)
        return web.json_response({"account": account_view(account, context.quirks)})

    return context.store.read(read)


@routes.put("/api/accounts/{account_id}/update.json")
async def update_account(request: web.Request) -> web.Response:
    """A partial update. The docs give no success answer; this one is 200 with the account,
    as ``get.json`` shows it. 422 lists every problem as ``{"errors": [{"error": ...}]}``."""
    context = request.app[CONTEXT]
    given = await replies.json_root(request, "account")
    if isinstance(given, web.Response):
        return given
    account_id = replies.path_id(request, "account_id")

    def update(data: dict[str, Any]) -> tuple[web.Response, bool]:
        account = data["account"]
        if account.get("id") != account_id:
            return replies.empty(404), False
        checked = check_account(account, given, data["taken_fiscal_ids"])
        if checked.errors:
            return replies.errors(422, checked.errors), False
        account.update(context.rewritten("account", checked.changes))
        return web.json_response({"account": account_view(account, context.quirks)}), True

    return context.store.write(update)
