"""The plain renderer prints, byte for byte, what rich prints of the plan without colour.

Plans are generated: a desired state planned from nothing, then a second one planned against
the known state the first would leave (so updates show before → after, dropped clients show as
no longer managed, secrets as redacted), each with and without the requests shown.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from reconciler.core.diff import FieldChange
from reconciler.core.known import KnownState, Record
from reconciler.core.plan import Call, Plan
from reconciler.render.plain import plain_plan
from reconciler.render.text import render_plan
from tests.support.plans import plan_of

from .test_properties import EXAMPLES, desired_documents


def _as_rich_prints(plan: Plan, *, show_requests: bool) -> str:
    """What ``reconciler plan`` printed through rich on a console without colour."""
    out = io.StringIO()
    console = Console(file=out, highlight=False, no_color=None, soft_wrap=True)
    assert console.color_system is None  # not a terminal: no colour, no styles
    console.print(render_plan(plan, show_requests=show_requests))
    return out.getvalue()


def _applied(known: KnownState, calls: tuple[Call, ...]) -> KnownState:
    for call in calls:
        known = known.applied(call.resource, Record(dict(call.record), "2026-01-01T00:00:00Z"))
    return known


@settings(max_examples=EXAMPLES * 4, deadline=None)
@given(first=desired_documents(), second=desired_documents(), show_requests=st.booleans())
def test_the_plain_renderer_prints_what_rich_prints_without_colour(
    first: dict[str, Any], second: dict[str, Any], show_requests: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        created = plan_of(Path(folder), first, KnownState.new())
        changed = plan_of(Path(folder), second, _applied(KnownState.new(), created.calls))
    for plan in (created, changed):
        plain = plain_plan(plan, show_requests=show_requests)
        assert plain == _as_rich_prints(plan, show_requests=show_requests)
        assert plain.encode("utf-8") == _as_rich_prints(plan, show_requests=show_requests).encode()


def test_control_codes_are_shown_as_escapes_alike() -> None:
    with tempfile.TemporaryDirectory() as folder:
        document = {"clients": [{"id": 7, "code": "P0", "name": "A"}]}
        plan = plan_of(Path(folder), document, KnownState.new())
    odd = FieldChange("name\r\x07\x08\x0b\x0c\x1b[1m", 1.5, ["\r", 2])
    call = replace(plan.calls[0], changes=(odd,), depends_on=("client:\r9",))
    plan = replace(plan, calls=(call,))
    plain = plain_plan(plan, show_requests=True)
    assert plain == _as_rich_prints(plan, show_requests=True)
    assert "\r" not in plain and "\x1b" not in plain
    assert "name\\r\\x07\\x08\\x0b\\x0c\\x1b[1m" in plain and "after: client:\\r9" in plain
