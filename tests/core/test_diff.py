"""The field-level diff: only declared fields count; secrets compare by digest."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.core.diff import (
    FieldChange,
    _all_fields,
    _deep_changes,
    diff_fields,
    field_changes,
    restrict,
)
from reconciler.core.secrets import DIGEST_PREFIX


def test_never_applied_lists_every_declared_field() -> None:
    changes = diff_fields(None, {"name": "A", "preferred_contact": {"email": "a@b.pt"}})
    assert changes == (
        FieldChange("name", None, "A"),
        FieldChange("preferred_contact.email", None, "a@b.pt"),
    )


def test_undeclared_fields_in_the_record_are_not_managed() -> None:
    applied = {"name": "A", "phone": "1", "preferred_contact": {"email": "x@y.pt", "name": "N"}}
    declared = {"name": "A", "preferred_contact": {"email": "x@y.pt"}}
    assert diff_fields(applied, declared) == ()
    assert restrict(applied, declared) == declared


def test_changed_added_and_nested_fields() -> None:
    changes = diff_fields(
        {"name": "A", "preferred_contact": {"email": "x@y.pt"}},
        {"name": "B", "city": "Porto", "preferred_contact": {"email": "z@y.pt", "phone": "1"}},
    )
    assert changes == (
        FieldChange("city", None, "Porto"),
        FieldChange("name", "A", "B"),
        FieldChange("preferred_contact.email", "x@y.pt", "z@y.pt"),
        FieldChange("preferred_contact.phone", None, "1"),
    )


def test_secret_digests_are_sensitive_changes() -> None:
    changes = diff_fields({"password": "hmac-sha256:aa"}, {"password": "hmac-sha256:bb"})
    assert changes == (FieldChange("password", "hmac-sha256:aa", "hmac-sha256:bb", True),)


def test_secrets_not_comparable_after_a_digest_key_change() -> None:
    same = {"city": "Lisboa", "credentials": {"password": "hmac-sha256:aa"}}
    assert diff_fields(same, same) == ()
    changes = diff_fields(same, same, secrets_comparable=False)
    assert [c.path for c in changes] == ["credentials.password"]
    assert changes[0].sensitive


# Declared fields never hold None (it means "not declared"); a record may.
values = st.one_of(st.booleans(), st.integers(-3, 3), st.floats(-2, 2), st.sampled_from("ab"))


def records(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    trees = st.recursive(
        leaves, lambda children: st.dictionaries(st.sampled_from("xyz"), children), max_leaves=12
    )
    return st.dictionaries(st.sampled_from("abcd"), trees, max_size=4)


@given(records(values | st.none()), records(values))
def test_direct_comparison_reports_what_deepdiff_does(applied: Any, declared: Any) -> None:
    known = restrict(applied, declared)
    ours = sorted(field_changes(known, declared))
    oracle = sorted({c.path: c for c in _deep_changes(dict(known), declared)}.values())
    assert ours == oracle


def test_secrets_not_comparable_keep_the_declared_digest_on_both_sides() -> None:
    same = {"credentials": {"password": "hmac-sha256:aa"}}
    changes = diff_fields(same, same, secrets_comparable=False)
    assert changes == (
        FieldChange("credentials.password", "hmac-sha256:aa", "hmac-sha256:aa", True),
    )


# A list makes the comparison go through deepdiff; the answer is the same either way.
@pytest.mark.parametrize("extra", [{}, {"tags": [1, 2]}], ids=["direct", "deepdiff"])
@pytest.mark.parametrize(
    ("before", "after"),
    [("plain", "hmac-sha256:bb"), ("hmac-sha256:aa", "plain"), (None, "hmac-sha256:bb")],
)
def test_a_change_from_or_to_a_digest_is_sensitive(
    extra: dict[str, Any], before: str | None, after: str
) -> None:
    applied = {"name": "A", **extra} if before is None else {"name": "A", "p": before, **extra}
    declared = {"name": "A", "p": after, **extra}
    assert diff_fields(applied, declared) == (FieldChange("p", before, after, True),)


def test_a_changed_plain_field_is_not_sensitive() -> None:
    changes = diff_fields({"p": "a", "tags": [1]}, {"p": "b", "tags": [1]})
    assert changes == (FieldChange("p", "a", "b", False),)


def test_lists_compare_item_by_item() -> None:
    applied = {"name": "A", "tags": [1, 2], "codes": ["x"]}
    declared = {"name": "B", "tags": [1, 2], "codes": ["y"]}
    assert diff_fields(applied, declared) == (
        FieldChange("codes.0", "x", "y"),
        FieldChange("name", "A", "B"),
    )
    assert diff_fields(None, {"tags": [1]}) == (FieldChange("tags", None, [1]),)


def test_a_list_replaced_by_a_mapping_is_one_change() -> None:
    changes = diff_fields({"a": [1], "b": 1}, {"a": {"x": 1}, "b": 1})
    assert changes == (FieldChange("a", [1], {"x": 1}),)


def test_every_field_of_a_nested_mapping_that_changed_entirely_is_named() -> None:
    applied = {"a": {"x": 1, "y": 2}, "tags": [1]}
    declared = {"a": {"x": 3, "y": 4}, "tags": [1]}
    assert diff_fields(applied, declared) == (
        FieldChange("a.x", 1, 3),
        FieldChange("a.y", 2, 4),
    )


def test_any_mapping_counts_as_nested_fields_not_only_a_dict() -> None:
    declared = {"a": MappingProxyType({"x": 1}), "b": 2}
    assert diff_fields(None, declared) == (FieldChange("a.x", None, 1), FieldChange("b", None, 2))
    assert diff_fields({"a": {"x": 0}, "b": 2}, declared) == (FieldChange("a.x", 0, 1),)


def _reference(applied: Any, declared: Any, comparable: bool) -> tuple[FieldChange, ...]:
    """The diff in the plainest terms: the record cut down to the declared fields, equal or
    else compared by deepdiff, every secret changed when secrets can't be compared."""
    known = restrict(applied, declared)
    if known == declared and comparable:
        return ()
    changes = {c.path: c for c in _deep_changes(dict(known), declared)}
    if not comparable:
        for change in _all_fields(declared):
            if change.sensitive and change.path not in changes:
                changes[change.path] = FieldChange(change.path, change.after, change.after, True)
    return tuple(sorted(changes.values()))


_leaves = st.one_of(
    values,
    st.sampled_from([DIGEST_PREFIX + "1", DIGEST_PREFIX + "2", "x "]),
    st.lists(st.integers(0, 2), max_size=2),
)


@given(records(_leaves | st.none()), records(_leaves), st.booleans())
def test_the_one_pass_diff_reports_what_deepdiff_does(
    applied: Any, declared: Any, comparable: bool
) -> None:
    expected = _reference(applied, declared, comparable)
    assert diff_fields(applied, declared, secrets_comparable=comparable) == expected


def test_an_identical_value_unequal_to_itself_is_no_change() -> None:
    nan = float("nan")
    assert diff_fields({"a": {"b": nan, "c": 1}}, {"a": {"b": nan}}) == ()
    assert diff_fields({"a": 1, "b": 2}, {"a": True}) == ()


def test_every_change_after_a_changed_number_or_a_nested_mapping_is_reported() -> None:
    # Each kind of field is followed by the next: a changed number, then a changed text; a
    # nested mapping that is not a dict, then a changed text.
    assert diff_fields({"n": 1, "t": "a"}, {"n": 2, "t": "b"}) == (
        FieldChange("n", 1, 2),
        FieldChange("t", "a", "b"),
    )
    nested = {"m": MappingProxyType({"x": 1}), "t": "b"}
    assert diff_fields({"m": MappingProxyType({"x": 0}), "t": "a"}, nested) == (
        FieldChange("m.x", 0, 1),
        FieldChange("t", "a", "b"),
    )


def test_a_digest_replacing_a_value_of_another_type_is_sensitive() -> None:
    digest = DIGEST_PREFIX + "bb"
    assert diff_fields({"p": 1}, {"p": digest}) == (FieldChange("p", 1, digest, True),)
    assert diff_fields({"p": digest}, {"p": 1}) == (FieldChange("p", digest, 1, True),)
