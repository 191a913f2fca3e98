"""Sequences: list, get, create (and register), register with the Tax Authority, and set the
default."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from reconciler.sandbox import replies
from reconciler.sandbox.context import CONTEXT
from reconciler.sandbox.fields import flag, unknown_fields
from reconciler.sandbox.sequences import (
    SERIE_RULE,
    is_partially_registered,
    is_registered,
    new_sequence,
    register,
)
from reconciler.sandbox.views import sequence_view

routes = web.RouteTableDef()

PORTUGAL = "1"
# A sequence's per-type ids are its id plus offsets up to 16 (``sequences.DOCUMENT_TYPES``), so
# new sequences are this far apart, as the demo's are.
ID_STEP = 20
FIRST_ID = 146090


def _not_found() -> web.Response:
    return replies.coded(404, "006", "The sequence doesn't exist.")


def _by_id(data: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(data["sequences"], key=lambda sequence: int(sequence["id"]))


@routes.get("/sequences.json")
async def list_sequences(request: web.Request) -> web.Response:
    """``{"sequences": [...]}``, every sequence ordered by id (the docs name no pagination)."""
    context = request.app[CONTEXT]

    def read(data: dict[str, Any]) -> web.Response:
        shown = [sequence_view(s, context.quirks) for s in _by_id(data)]
        return web.json_response({"sequences": shown})

    return context.store.read(read)


@routes.get("/sequences/{sequence_id}.json")
async def get_sequence(request: web.Request) -> web.Response:
    """``{"sequence": {...}}``; an unknown id answers 404 with register's code 006 body."""
    context = request.app[CONTEXT]
    sequence_id = replies.path_id(request, "sequence_id")

    def read(data: dict[str, Any]) -> web.Response:
        sequence = replies.find(data["sequences"], sequence_id)
        if sequence is None:
            return _not_found()
        return web.json_response({"sequence": sequence_view(sequence, context.quirks)})

    return context.store.read(read)


def _creation_problems(data: dict[str, Any], given: dict[str, Any], registers: bool) -> list[str]:
    """Why ``given`` can't become a new series, all of them (empty when it can)."""
    problems = unknown_fields(given, ("serie", "default_sequence"))
    serie = given.get("serie")
    if serie is None or (isinstance(serie, str) and not serie.strip()):
        problems.append("Serie can't be blank")
    elif not isinstance(serie, str) or SERIE_RULE.fullmatch(serie) is None:
        problems.append("The sequence name is invalid")
    elif any(other.get("serie") == serie for other in data["sequences"]):
        problems.append("Serie has already been taken")
    default = flag(given.get("default_sequence", 0))
    if default is None:
        problems.append("Default sequence is not included in the list")
    account = data["account"]
    if registers:
        # "Creates and registers": the Tax Authority's answers, as register gives them.
        if not account.get("credentials"):
            problems.append("Invalid Tax Authority credentials.")
        elif not account.get("at_open_activity", True):
            problems.append("Account fiscal ID doesn't have open activity in Tax Authority.")
    elif default == 1 and account.get("tax_country") == PORTUGAL:
        # As set_current: documents can only be finalized in a registered series.
        problems.append("Default sequence must be registered with the Tax Authority")
    return problems


@routes.post("/sequences.json")
async def create_sequence(request: web.Request) -> web.Response:
    """201 ``{"sequence": {...}}``: a new series, registered with the Tax Authority when the
    account is Portuguese (unless ``Quirks.sequences_created_unregistered``), and the only
    default when ``default_sequence`` is 1. 422 ``{"errors": [...]}`` lists every problem."""
    context = request.app[CONTEXT]
    given = await replies.json_root(request, "sequence")
    if isinstance(given, web.Response):
        return given

    def create(data: dict[str, Any]) -> tuple[web.Response, bool]:
        portuguese = data["account"].get("tax_country") == PORTUGAL
        registers = portuguese and not context.quirks.sequences_created_unregistered
        problems = _creation_problems(data, given, registers)
        if problems:
            return replies.errors(422, problems), False
        sequences = data["sequences"]
        highest = max((int(s["id"]) for s in sequences), default=FIRST_ID - ID_STEP)
        default = flag(given.get("default_sequence", 0)) == 1
        sequence = new_sequence(highest + ID_STEP, given["serie"], registered=registers)
        sequences.append(sequence)
        if default:
            for other in sequences:
                other["default_sequence"] = 1 if other is sequence else 0
        view = sequence_view(sequence, context.quirks)
        return web.json_response({"sequence": view}, status=201), True

    return context.store.write(create)


def _registration_refusal(account: dict[str, Any], sequence: dict[str, Any]) -> web.Response | None:
    """Why the sequence can't be registered, checked in this order (local checks first, then
    the answers that would come from the Tax Authority), or ``None``."""
    if sequence.get("registering"):
        return replies.coded(409, "008", "The sequence is already being registered.")
    if is_registered(sequence):
        return replies.coded(409, "005", "All sequences are registered.")
    if account.get("tax_country") != PORTUGAL:
        return replies.coded(422, "004", "Account is not portuguese.")
    if SERIE_RULE.fullmatch(str(sequence.get("serie", ""))) is None:
        return replies.coded(422, "001", "Sequence name not allowed.")
    if not account.get("credentials"):
        return replies.coded(422, "002", "Invalid Tax Authority credentials.")
    if not account.get("at_open_activity", True):
        message = "Account fiscal ID doesn't have open activity in Tax Authority."
        return replies.coded(422, "003", message)
    # A registration that half failed left some types with codes: the Tax Authority already knows
    # the series and refuses it again (the help centre's advice is to create a new series).
    if is_partially_registered(sequence):
        return replies.coded(422, "007", "All Sequences are registered in AT.")
    if sequence.get("at_unknown_error"):
        return replies.coded(422, "000", "Unknown error.")
    return None


@routes.put("/sequences/{sequence_id}/register.json")
async def register_sequence(request: web.Request) -> web.Response:
    """200 ``{"sequences": [<the sequence, with its validation codes>]}``. Takes no body; any
    body sent is ignored."""
    context = request.app[CONTEXT]
    sequence_id = replies.path_id(request, "sequence_id")

    def update(data: dict[str, Any]) -> tuple[web.Response, bool]:
        sequence = replies.find(data["sequences"], sequence_id)
        if sequence is None:
            return _not_found(), False
        refusal = _registration_refusal(data["account"], sequence)
        if refusal is not None:
            return refusal, False
        register(sequence)
        return web.json_response({"sequences": [sequence_view(sequence, context.quirks)]}), True

    return context.store.write(update)


@routes.put("/sequences/{sequence_id}/set_current.json")
async def set_current_sequence(request: web.Request) -> web.Response:
    """200, 404 and 422, all with no body, as documented. Takes no body; any body is ignored.

    422 when a Portuguese account asks for a sequence that is not registered (some ATCUD-relevant
    type still ``N/D``): documents can only be finalized in a registered series.
    """
    sequence_id = replies.path_id(request, "sequence_id")

    def update(data: dict[str, Any]) -> tuple[web.Response, bool]:
        sequence = replies.find(data["sequences"], sequence_id)
        if sequence is None:
            return replies.empty(404), False
        if data["account"].get("tax_country") == PORTUGAL and not is_registered(sequence):
            return replies.empty(422), False
        changed = False
        for other in data["sequences"]:
            wanted = 1 if other is sequence else 0
            changed |= other.get("default_sequence") != wanted
            other["default_sequence"] = wanted
        return replies.empty(200), changed

    return request.app[CONTEXT].store.write(update)
