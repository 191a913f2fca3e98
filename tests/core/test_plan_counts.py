"""A plan counts its calls by action, equal actions together, whichever objects they are."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.core.calls import Action
from reconciler.core.kinds import registry
from reconciler.core.plan import Plan
from tests.support.plans import BASE

# Each action of the registry, and an equal copy of it (as a saved plan read back makes).
_ACTIONS = [a for action in registry.actions() for a in (action, Action(action.verb, action.kind))]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_ACTIONS), max_size=30))
def test_counts_are_those_of_the_actions_compared_equal(actions: list[Action]) -> None:
    template = BASE.calls[0]
    plan = Plan(
        calls=tuple(replace(template, action=action) for action in actions),
        in_sync=(),
        lineage="l",
        serial=0,
        key_id="k",
    )
    counted = Counter(call.action for call in plan.calls)
    expected = {a: counted[a] for a in registry.actions() if counted[a]}
    assert plan.counts() == expected
    assert list(plan.counts()) == list(expected)
