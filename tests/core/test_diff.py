"""The field-level diff: only declared fields count; secrets compare by digest."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from reconciler.core.diff import FieldChange, _deep_changes, diff_fields, field_changes, restrict


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
