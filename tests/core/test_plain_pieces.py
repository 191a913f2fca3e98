"""The plain renderer's shared pieces (a call's first words, its file, a change's path, each
escaped once per plan) print what rich prints of the same calls without colour, whatever the
file names, ids, paths and values hold."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.core.calls import Action, Call, Reason, Source
from reconciler.core.diff import FieldChange
from reconciler.core.plan import Plan
from reconciler.render.plain import plain_plan

from .test_plain_rendering import _as_rich_prints

# Text that escaping must change: control characters, a leading colon or blank, separators.
hostile = st.text(
    st.sampled_from(["a", "é", ":", " ", "\n", "\r", "\x1b", "\x7f", "\u2028", "\x85", "/"])
)
actions = st.sampled_from(
    # Equal actions that are distinct objects, as well as shared ones.
    [Action("update", "client"), Action("update", "client"), Action("create", "client")]
)
values = st.one_of(st.none(), hostile, st.integers(-2, 2), st.booleans(), st.floats(-1, 1))
changes = st.builds(FieldChange, hostile, values, values, st.booleans())
sources = st.one_of(
    st.none(),
    st.builds(Source, hostile, st.one_of(st.integers(-3, 200), st.booleans()), st.integers(1, 9)),
)
calls = st.builds(
    Call,
    sort_key=st.tuples(st.integers(0, 4), st.integers(0, 9)),
    action=actions,
    resource=st.one_of(hostile, st.sampled_from(["client:7", "new-client:C\x1b1", "client:0"])),
    target_id=st.one_of(st.integers(-2, 3), st.booleans()),
    method=st.just("PUT"),
    path=st.sampled_from(["/clients/7.json", "/sequences/{new-sequence:2\x1b7}/register.json"]),
    body=st.none(),
    changes=st.lists(changes, max_size=3).map(tuple),
    reason=st.sampled_from(list(Reason)),
    depends_on=st.lists(hostile, max_size=2).map(tuple),
    source=sources,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(calls, max_size=8), st.booleans())
def test_calls_print_what_rich_prints_whatever_their_pieces_hold(
    planned: list[Call], show_requests: bool
) -> None:
    plan = Plan(calls=tuple(planned), in_sync=(), lineage="l", serial=0, key_id="k")
    assert plain_plan(plan, show_requests=show_requests) == _as_rich_prints(
        plan, show_requests=show_requests
    )
