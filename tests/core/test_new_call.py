"""A call made field by field (``new_call``, as a plan makes each update), and the value objects
that set their slots directly (a field change, a source, an in-sync entry, a record), are what
the dataclass makes of the same fields: every field the very value given."""

from __future__ import annotations

import dataclasses
from dataclasses import fields
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.core.calls import Action, Call, InSync, Reason, Source, new_call
from reconciler.core.diff import FieldChange
from reconciler.core.known import Record

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


def _reference(cls: type) -> type:
    """``cls`` as ``dataclass`` makes it with its own ``__init__``: the same fields, frozen."""
    specs = [
        (field.name, field.type, dataclasses.field(default=field.default))
        if field.default is not dataclasses.MISSING
        else (field.name, field.type)
        for field in fields(cls)
    ]
    return dataclasses.make_dataclass(cls.__name__, specs, frozen=True, slots=True)


@pytest.mark.parametrize("cls", [FieldChange, Source, InSync, Record])
@given(data=st.data())
def test_a_value_object_made_slot_by_slot_is_the_dataclass_one(cls: type, data: Any) -> None:
    names = [field.name for field in fields(cls)]
    reference = _reference(cls)
    given_values = [data.draw(anything) for _ in names]
    omitted = data.draw(st.booleans()) and fields(cls)[-1].default is not dataclasses.MISSING
    args = given_values[:-1] if omitted else given_values
    as_keywords = data.draw(st.booleans())
    made = cls(**dict(zip(names, args, strict=False))) if as_keywords else cls(*args)
    expected = reference(*args)
    assert [getattr(made, name) for name in names] == [getattr(expected, n) for n in names]
    assert all(getattr(made, name) is getattr(expected, name) for name in names[: len(args)])
    assert repr(made) == repr(expected)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, names[0], "changed")
