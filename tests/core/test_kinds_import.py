"""Import loops over the registry: a kind defined and registered here, in the test ("note", a
paginated list by id with a natural key and a secret), gets its section of a new file and is
brought up to date in an existing one, with the other sections exactly as they were.

The live account is the sandbox over HTTP, behind a tiny server that adds ``/notes.json``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, web
from pydantic import BaseModel, SecretStr

from reconciler.api.api_client import ApiClient
from reconciler.api.live import read_everything
from reconciler.core.kinds import registry
from reconciler.core.kinds.base import Reading
from reconciler.core.kinds.by_id import UpdatedById
from reconciler.core.kinds.sections import Layout, Reference, Section
from reconciler.core.live_state import LiveState
from reconciler.desired.document import load_desired
from reconciler.desired.loader import YamlPath
from reconciler.desired.models import DesiredState
from reconciler.sandbox import Sandbox
from reconciler.settings import ToolSettings
from reconciler.workflows.import_document import new_document, update_document
from tests.support.hostile import serving

API_KEY = "kinds-import-key"
ACCOUNT = 12345
NOTES = [
    {"id": "8", "text": "line one\x85line two", "title": "Second", "colour": ""},
    {"id": "7", "text": "Pay in $ ${HOME}", "title": "Welcome", "colour": None},
]
WRITTEN = """\
notes:
  - id: 7
    title: Welcome
    token: ${NOTE_TOKEN}             # the API never shows it: set NOTE_TOKEN
    text: Pay in $$ $${HOME}
  - id: 8
    title: Second
    token: ${NOTE_TOKEN}             # the API never shows it: set NOTE_TOKEN
    text: "line one\\Nline two"
"""


class Note(BaseModel):
    """The desired model of the test kind."""

    id: int | None = None
    title: str
    text: str | None = None


class NoteKind(UpdatedById):
    """A kind known to no file of the package, listed whole like clients."""

    name = "note"
    phase = 9  # after every kind of the package: its section comes last
    update_path = "/notes/{id}.json"
    reading = Reading(
        "each",
        "notes",
        item_key="note",
        one="/notes/{id}.json",
        listing="/notes.json",
        list_key="notes",
        paginated=True,
    )
    natural_key = "title"
    section = Section(
        "notes",
        "list",
        Layout(first=(("title", ""),), references=(Reference("token", "NOTE_TOKEN"),)),
    )

    def __init__(self, *notes: Note) -> None:
        super().__init__()
        self.notes = notes

    def declared(self, state: DesiredState) -> Iterator[tuple[YamlPath, BaseModel, int | None]]:
        for index, note in enumerate(self.notes):
            yield ("notes", index), note, note.id


def _with_notes(sandbox_url: str) -> Any:
    """The sandbox, with ``GET /notes.json`` answered here."""

    async def handle(request: web.Request) -> web.StreamResponse:
        if request.path == "/notes.json":
            pagination = {"total_entries": len(NOTES), "per_page": 100, "total_pages": 1}
            return web.json_response({"notes": NOTES, "pagination": pagination})
        async with (
            ClientSession() as session,
            session.get(sandbox_url + request.path_qs) as answer,
        ):
            body = await answer.read()
            return web.Response(body=body, status=answer.status, content_type="application/json")

    return handle


@pytest.fixture
def api_url() -> Iterator[str]:
    sandbox = Sandbox(api_key=API_KEY, rate_limit=0)
    with sandbox.running_in_thread() as sandbox_url, serving(_with_notes(sandbox_url)) as url:
        yield url


async def _live(url: str) -> LiveState:
    async with ApiClient(url, SecretStr(API_KEY), ToolSettings(rate_limit=0)) as client:
        return await read_everything(client, ACCOUNT)


async def test_a_registered_kind_gets_its_section_and_nothing_else_changes(api_url: str) -> None:
    before = new_document(await _live(api_url))
    with registry.registered(NoteKind()):
        after = new_document(await _live(api_url))
    assert after.text == before.text + WRITTEN
    assert after.added == {**before.added, "notes": 2}
    assert "notes" not in new_document(await _live(api_url)).text


async def test_a_registered_kinds_section_is_brought_up_to_date_in_place(
    api_url: str, tmp_path: Path
) -> None:
    imported = new_document(await _live(api_url)).text
    file = tmp_path / "state.yaml"
    file.write_text(imported, "utf-8")
    existing = load_desired(file, {}).state
    notes = (
        "notes:  # kept\n"
        "  - title: Welcome  # by title\n"
        "    text: Old text\n"
        "  - id: 9\n"
        "    title: Gone\n"
    )
    kind = NoteKind(Note(title="Welcome", text="Old text"), Note(id=9, title="Gone"))
    with registry.registered(kind):
        updated = update_document(imported + notes, existing, await _live(api_url))
    assert updated.text == imported + (
        "notes:  # kept\n"
        "  - title: Welcome  # by title\n"
        "    text: Pay in $$ $${HOME}\n"
        "  - id: 9\n"
        "    title: Gone\n"
        "  - id: 8\n"
        "    title: Second\n"
        "    token: ${NOTE_TOKEN}             # the API never shows it: set NOTE_TOKEN\n"
        '    text: "line one\\Nline two"\n'
    )
    assert updated.fields_updated == ["notes[0].text"]
    assert updated.notes == ["notes[1] (title 'Gone') is not on the live account: left as it is"]
    assert updated.added == {"notes": 1}
