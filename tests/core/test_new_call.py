"""A call made field by field (``new_call``, as a plan makes each update) is the call the
dataclass makes of the same fields: every field the very value given."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from reconciler.core.calls import Action, Call, Reason, Source, new_call
from reconciler.core.diff import FieldChange

anything = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=3),
    st.dictionaries(st.text(), st.integers(), max_size=2),
)
values = st.fixed_dictionaries(
    {
        "sort_key": st.tuples(st.integers(), st.integers()),
        "action": st.builds(Action, st.text(max_size=3), st.text(max_size=3)),
        "resource": st.text(max_size=5),
        "target_id": st.integers(),
        "method": st.sampled_from(["PUT", "POST"]),
        "path": st.text(max_size=5),
        "body": anything,
        "changes": st.lists(st.builds(FieldChange, st.text(max_size=3), anything, anything)).map(
            tuple
        ),
        "reason": st.sampled_from(list(Reason)),
        "depends_on": st.lists(st.text(max_size=3), max_size=2).map(tuple),
        "record": anything,
        "source": st.one_of(
            st.none(), st.builds(Source, st.text(max_size=3), st.integers(), st.integers())
        ),
    }
)


@given(values)
def test_a_call_made_field_by_field_is_the_dataclass_call(given_values: dict[str, Any]) -> None:
    names = [field.name for field in fields(Call)]
    assert set(given_values) == set(names)  # every field
    made = new_call(*(given_values[name] for name in names))  # in the dataclass's order
    expected = Call(**given_values)
    assert type(made) is Call
    assert all(getattr(made, name) is given_values[name] for name in names)
    assert repr(made) == repr(expected) and made == expected and hash(made) == hash(expected)
