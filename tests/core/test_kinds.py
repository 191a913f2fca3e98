"""The registry drives every loop over resource kinds.

A kind defined and registered here, in the test ("note", updated by id against a tiny server),
is planned, targeted, read, folded, applied, verified and read back from a saved plan with no
other file changed; and the kinds of today keep the action names plans and schemas know.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from pydantic import BaseModel, SecretStr

from reconciler.api.api_client import ApiClient
from reconciler.api.live import read_live
from reconciler.core.diff import FieldChange
from reconciler.core.guard import unsafe_reasons
from reconciler.core.kinds import registry
from reconciler.core.kinds.base import Reading
from reconciler.core.kinds.by_id import UpdatedById
from reconciler.core.known import KnownState, Record
from reconciler.core.live_fold import Drift, fold
from reconciler.core.plan import build_plan
from reconciler.core.plan_document import plan_document
from reconciler.core.plan_reading import plan_from_document
from reconciler.core.report import Status
from reconciler.core.secrets import DigestKey
from reconciler.core.targeting import parse_target, select
from reconciler.desired.document import Desired
from reconciler.desired.loader import SourceMap, YamlPath
from reconciler.desired.models import DesiredState
from reconciler.errors import TargetError
from reconciler.settings import ToolSettings
from reconciler.storage.state_file import StateStore
from reconciler.workflows.apply import apply_plan
from reconciler.workflows.verify import verify
from tests.support.hostile import serving

ROOT = Path(__file__).resolve().parents[2]
KEY = DigestKey("kinds-test-key")
API_KEY = "kinds-test-api-key"
WHEN = "2026-01-01T00:00:00Z"


class Note(BaseModel):
    """The desired model of the test kind."""

    id: int
    text: str | None = None


class NoteKind(UpdatedById):
    """A kind updated by id, known to no file of the package."""

    name = "note"
    phase = 5
    update_path = "/notes/{id}.json"
    target_group = "notes"
    reading = Reading("each", "notes", item_key="note", one="/notes/{id}.json")

    def __init__(self, *notes: Note) -> None:
        super().__init__()
        self.notes = notes

    def declared(self, state: DesiredState) -> Iterator[tuple[YamlPath, BaseModel, int | None]]:
        for index, note in enumerate(self.notes):
            yield ("notes", index), note, note.id


def _desired() -> Desired:
    return Desired("state.yaml", DesiredState(), SourceMap())


def _known(**texts: str) -> KnownState:
    records = {key.replace("_", ":"): Record({"text": text}, WHEN) for key, text in texts.items()}
    return KnownState(lineage="notes", resources=records)


def test_a_registered_kind_is_planned_targeted_guarded_and_read_back_from_a_saved_plan() -> None:
    kind = NoteKind(Note(id=7, text="Hello"), Note(id=8, text="Same"))
    known = _known(note_8="Same", note_9="Gone from the file")
    with registry.registered(kind):
        plan = build_plan(_desired(), known, KEY)
        shown = [(str(c.action), c.method, c.path, c.body, c.subject) for c in plan.calls]
        assert shown == [("update note", "PUT", "/notes/7.json", {"note": {"text": "Hello"}}, "7")]
        assert [item.resource for item in plan.in_sync] == ["note:8"]
        assert plan.unmanaged == ("note:9",)
        assert {str(action): n for action, n in plan.counts().items()} == {"update note": 1}
        assert registry.describe("note:9") == "note 9"

        assert select(plan, [parse_target("note:7")]).plan.calls == plan.calls
        grouped = select(plan, [parse_target("notes")]).plan
        assert (len(grouped.calls), grouped.unmanaged) == (1, ("note:9",))
        with pytest.raises(TargetError, match=r"notes, note:<id>"):
            parse_target("note:x")
        assert unsafe_reasons(plan, known) == []

        document = json.loads(json.dumps(plan_document(plan)))
        again = plan_from_document(document, where="saved.json")
        assert [(str(c.action), c.resource, c.path, c.sort_key[0]) for c in again.calls] == [
            ("update note", "note:7", "/notes/7.json", 5)
        ]
    with pytest.raises(TargetError):
        parse_target("note:7")
    assert not registry.is_resource("note:9")


def _note_server(notes: dict[int, dict[str, Any]], seen: list[tuple[str, str]]) -> Any:
    async def handle(request: web.Request) -> web.StreamResponse:
        seen.append((request.method, request.path))
        number = request.path.removeprefix("/notes/").removesuffix(".json")
        if not number.isdigit() or int(number) not in notes:
            return web.json_response({"errors": ["not found"]}, status=404)
        note = notes[int(number)]
        if request.method == "PUT":
            note.update((await request.json())["note"])
        return web.json_response({"note": note})

    return handle


async def test_a_registered_kind_is_read_folded_applied_and_verified_over_http(
    tmp_path: Path,
) -> None:
    notes = {7: {"id": "7", "text": "Changed on the live account"}}
    seen: list[tuple[str, str]] = []
    kind = NoteKind(Note(id=7, text="Hello"))
    desired = _desired()
    store = StateStore(tmp_path / "state.json")
    with registry.registered(kind), serving(_note_server(notes, seen)) as url:
        async with ApiClient(url, SecretStr(API_KEY), ToolSettings(rate_limit=0)) as client:
            live = await read_live(client, desired.state)
            refreshed = fold(
                desired.state, _known(note_7="Hello"), live, KEY, at="2026-01-01T00:00:00+00:00"
            )
            change = FieldChange("text", "Hello", "Changed on the live account")
            assert refreshed.drift == (Drift("note:7", (change,)),)
            plan = build_plan(desired, refreshed.state, KEY)
            assert [str(call.action) for call in plan.calls] == ["update note"]
            report = await apply_plan(plan, client, store, refreshed.state, concurrency=1)
            assert [o.status for o in report.outcomes] == [Status.SUCCEEDED]
            verification = await verify(report, client)
    assert (verification.checked, verification.ok) == (1, True)
    assert notes[7]["text"] == "Hello"
    assert seen == [("GET", "/notes/7.json"), ("PUT", "/notes/7.json"), ("GET", "/notes/7.json")]
    assert store.load().get("note:7") is not None


DIGEST = KEY.digest(SecretStr("a note's secret"))


@pytest.mark.parametrize(
    ("record", "fingerprinted"),
    [
        ({"count": 3, "password": DIGEST}, True),
        ({"count": None, "credentials": {"label": "x", "password": DIGEST}}, True),
        ({"labels": {"colour": "blue"}, "text": "Hello"}, False),
    ],
    ids=["number-before-digest", "digest-in-a-mapping", "mapping-without-digest"],
)
async def test_the_digest_key_fingerprint_follows_any_kinds_record_that_holds_a_digest(
    tmp_path: Path, record: dict[str, Any], fingerprinted: bool
) -> None:
    notes = {7: {"id": "7", "text": "Old"}}
    kind = NoteKind(Note(id=7, text="Hello"))
    store = StateStore(tmp_path / "state.json")
    with registry.registered(kind), serving(_note_server(notes, [])) as url:
        plan = build_plan(_desired(), _known(note_7="Old"), KEY)
        (call,) = plan.calls
        # The record a kind may make of its call (the note kind records its text alone).
        plan = dataclasses.replace(plan, calls=(dataclasses.replace(call, record=record),))
        async with ApiClient(url, SecretStr(API_KEY), ToolSettings(rate_limit=0)) as client:
            report = await apply_plan(plan, client, store, _known(note_7="Old"), concurrency=1)
    assert [o.status for o in report.outcomes] == [Status.SUCCEEDED]
    expected = KEY.key_id if fingerprinted else None
    assert report.state.key_id == expected
    saved = store.load()
    assert saved.get("note:7") is not None
    assert saved.key_id == expected


def test_the_actions_are_todays_in_the_order_their_calls_run() -> None:
    assert [str(action) for action in registry.actions()] == [
        "update account",
        "create sequence",
        "register sequence",
        "set default sequence",
        "update client",
        "create client",
        "update tax",
        "create tax",
        "update item",
        "create item",
    ]


def _action_lists() -> dict[str, list[str]]:
    """Every schema's list of action names (``$defs.action.enum``), by file."""
    found = {}
    for path in sorted((ROOT / "schema").glob("*.schema.json")):
        action = json.loads(path.read_text()).get("$defs", {}).get("action")
        if action is not None:
            found[path.name] = action["enum"]
    return found


def test_every_schemas_action_names_are_the_registrys() -> None:
    lists = _action_lists()
    assert sorted(lists) == ["apply.schema.json", "fleet-plan.schema.json", "plan.schema.json"]
    names = [str(action) for action in registry.actions()]
    assert {file: names for file in lists} == lists
