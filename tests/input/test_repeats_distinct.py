"""Lists whose items hold no two equal values are not searched item by item for repeats: the
cross-checks then find exactly what the item-by-item search finds."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.desired import document as doc
from reconciler.desired.loader import parse_yaml

# Written as JSON (which is YAML) and loaded: numbers, text, nulls, booleans and lists as the
# loader reads them.
values = st.one_of(
    st.none(),
    st.sampled_from(["1", "01", "", " ", "a", "A", "1 ", "1.0"]),
    st.integers(0, 2),
    st.sampled_from([1.0, 99999999999999999999999]),
    st.booleans(),
    st.lists(st.integers(0, 1), max_size=1),
)
items = st.one_of(
    st.dictionaries(st.sampled_from(["id", "code", "name"]), values, max_size=3),
    values,
)
documents = st.fixed_dictionaries(
    {},
    optional={
        "clients": st.lists(items, max_size=5),
        "taxes": st.lists(items, max_size=4),
        "items": st.lists(items, max_size=4),
    },
)


def _found(data: dict[str, Any]) -> list[tuple[Any, str]]:
    document = parse_yaml(json.dumps(data) + "\n", "f.yaml")
    return [(where, problem.message) for where, problem in doc._cross_checks(document, frozenset())]


@settings(max_examples=500, deadline=None)
@given(documents)
def test_distinct_lists_are_skipped_without_changing_what_is_found(data: dict[str, Any]) -> None:
    skipping = _found(data)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(doc, "_all_distinct", lambda items, field: False)
        searching = _found(data)
    assert skipping == searching
