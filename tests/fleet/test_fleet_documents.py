"""The fleet's JSON and Markdown documents are built account by account as each ends, keeping
only each account's text: the result is byte for byte what the whole-document renderers
(``render_fleet_json``, ``render_fleet_markdown``) give, and no account's plan is kept."""

from __future__ import annotations

import gc
import random
import weakref
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.core.fleet_document import FleetEntry
from reconciler.core.plan import Plan
from reconciler.render.json import FleetJson, render_fleet_json
from reconciler.render.markdown import FleetMarkdown, render_fleet_markdown
from tests.support.plans import BASE, hostile_plan


def _plan(kind: int, name: str) -> Plan | None:
    if kind == 0:
        return replace(BASE, calls=(), unmanaged=())
    if kind == 1:
        return hostile_plan(f"accounts/{name}.yaml", name, f"client:{len(name)}")
    if kind == 2:  # more calls than any share shows
        return replace(BASE, calls=BASE.calls * 150)
    return None


@st.composite
def fleets(draw: st.DrawFn) -> list[FleetEntry]:
    names = draw(st.lists(st.sampled_from("abcdefgh"), max_size=8, unique=True))
    entries = []
    for name in names:
        kind = draw(st.integers(0, 5))
        error = "x" * draw(st.integers(0, 3000)) if kind == 3 else None
        attempted = kind != 4
        entries.append(FleetEntry(name, f"{name}.yaml", _plan(kind, name), error, attempted))
    return entries


@settings(max_examples=60, deadline=None)
@given(entries=fleets(), limit=st.sampled_from([3_000, 9_000, 20_000, 65_000]), seed=st.integers())
def test_documents_built_as_accounts_end_equal_the_whole_document_renderers(
    entries: list[FleetEntry], limit: int, seed: int
) -> None:
    expected_json = render_fleet_json(entries)
    expected_markdown = render_fleet_markdown(entries, limit=limit)
    finished = list(enumerate(entries))
    random.Random(seed).shuffle(finished)  # accounts end in any order
    for size in (len(entries), None):  # the fleet's size known, or not (--shard auto)
        as_json, as_markdown = FleetJson(), FleetMarkdown(size, limit=limit)
        for where, entry in finished:
            as_json.add((where, entry.account), entry)
            as_markdown.add((where, entry.account), entry)
        assert as_json.text() == expected_json
        assert as_markdown.text() == expected_markdown


def test_a_large_fleets_documents_keep_no_accounts_plan() -> None:
    as_json, as_markdown = FleetJson(), FleetMarkdown(200)
    kept = []
    for where in range(200):
        name = f"conta-{where:03}"
        plan = _plan(where % 3, name)
        assert plan is not None
        kept.append(weakref.ref(plan))
        entry = FleetEntry(name, f"{name}.yaml", plan)
        as_json.add((where, name), entry)
        as_markdown.add((where, name), entry)
        del plan, entry
    gc.collect()
    assert [ref for ref in kept if ref() is not None] == []
    assert as_markdown.text().count("\n## Account ") == 200
    assert as_json.text().count('"account": "conta-') >= 200
