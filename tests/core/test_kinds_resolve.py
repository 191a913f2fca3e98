"""Resolution by natural key loops over the registry: a kind defined and registered here ("tag",
named by its label, listed whole at ``GET /tags.json`` by a tiny server over HTTP) is looked
up on the live account, given its ids, recorded as look-ups so the next run needs no look-up,
reported in the plan's words, and refused with its own message when a label is nowhere.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from pydantic import SecretStr

from reconciler.api.api_client import ApiClient
from reconciler.core.kinds import registry
from reconciler.core.kinds.base import Kind, Reading
from reconciler.core.kinds.resolving import Resolving
from reconciler.core.known import KnownState, Record
from reconciler.core.references import pending
from reconciler.desired.document import Desired, problem_at
from reconciler.desired.loader import SourceMap
from reconciler.desired.models import DesiredState
from reconciler.errors import ValidationFailed
from reconciler.render.drift import render_resolution
from reconciler.settings import ToolSettings
from reconciler.workflows.resolve import resolve
from tests.support.hostile import serving

API_KEY = "kinds-resolve-key"
TAGS = [{"id": "3", "label": "urgent"}, {"id": "5", "label": "late"}, {"id": "8", "label": "x"}]


class TagKind(Kind):
    """A kind whose resources the desired state names by label, known to no file of the package."""

    name = "tag"
    natural_key = "label"
    lookup_prefix = "lookup:tag-label:"
    said_named = "tag {key!r} is tag {id}"
    reading = Reading("list", "tags", listing="/tags.json", list_key="tags")

    def __init__(self, *labels: str) -> None:
        self.labels = labels
        self.resolved: dict[str, int] = {}

    def named(self, state: DesiredState) -> list[str]:
        return list(self.labels)

    def resolve(self, resolving: Resolving) -> None:
        for index, label in enumerate(self.labels):
            if label in resolving.keys:
                self.resolved[label] = resolving.keys[label]
            else:
                message = f"no tag has label {label!r}"
                resolving.problems.append(problem_at(resolving.desired, ("tags", index), message))


def _desired() -> Desired:
    return Desired("state.yaml", DesiredState(), SourceMap())


def _tags(seen: list[str]) -> Any:
    async def handle(request: web.Request) -> web.StreamResponse:
        seen.append(f"{request.method} {request.path}")
        if request.path != "/tags.json":
            return web.json_response({"errors": ["not found"]}, status=404)
        return web.json_response({"tags": TAGS})

    return handle


async def _resolved(known: KnownState, url: str) -> Any:
    async with ApiClient(url, SecretStr(API_KEY), ToolSettings(rate_limit=0)) as client:
        return await resolve(_desired(), known, client, create_missing=False)


async def test_a_registered_kind_is_resolved_by_its_natural_key_on_the_live_account() -> None:
    seen: list[str] = []
    kind = TagKind("urgent", "late")
    with registry.registered(kind), serving(_tags(seen)) as url:
        todo = pending(DesiredState(), KnownState(lineage="tags"))
        assert (todo.unknown["tag"], todo.needs_api) == (("urgent", "late"), True)
        resolution = await _resolved(KnownState(lineage="tags"), url)
        assert kind.resolved == {"urgent": 3, "late": 5}
        assert resolution.found["tag"] == {"urgent": 3, "late": 5}
        assert resolution.known.get("lookup:tag-label:urgent").applied == {"id": 3}
        again = pending(DesiredState(), resolution.known)
        assert (again.unknown["tag"], again.needs_api) == ((), False)
        assert render_resolution(resolution).plain == (
            "  = tag 'late' is tag 5\n  = tag 'urgent' is tag 3\n"
        )
    assert seen == ["GET /tags.json"]


async def test_a_label_found_nowhere_is_refused_with_the_kinds_message() -> None:
    kind, seen = TagKind("urgent", "lost"), []
    refused = pytest.raises(ValidationFailed)
    with registry.registered(kind), serving(_tags(seen)) as url, refused as failed:
        await _resolved(KnownState(lineage="tags"), url)
    assert [p.message for p in failed.value.problems] == ["no tag has label 'lost'"]
    assert seen == ["GET /tags.json"]


def test_a_kind_takes_natural_keys_from_its_own_records_only() -> None:
    """A client's record holds a ``name`` too: the kinds keyed by name (taxes, items) take
    none of it, and the clients take their codes from their records alone."""
    at = "2026-01-01T00:00:00+00:00"
    known = (
        KnownState.new()
        .applied("client:42", Record({"code": "C42", "name": "IVA23"}, at))
        .applied("tax:7", Record({"name": "IVA23", "value": 23.0}, at))
        .applied("item:9", Record({"name": "Consulting", "code": "C42"}, at))
    )
    by_kind = {kind.name: kind.recorded_keys(known) for kind in registry.KINDS}

    assert by_kind["client"] == {"C42": 42}
    assert by_kind["tax"] == {"IVA23": 7}
    assert by_kind["item"] == {"Consulting": 9}
    assert by_kind["account"] == {} and by_kind["sequence"] == {}
