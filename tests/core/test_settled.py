"""A resource recorded exactly as declared is collected in sync without a diff: exactly when
planning its update would find nothing to do."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.core.calls import Action, Source
from reconciler.core.kinds.planning import IN_SYNC, Planning
from reconciler.core.known import KnownState, Record
from reconciler.core.secrets import DIGEST_PREFIX, DigestKey

AT = "2026-01-01T00:00:00+00:00"
scalars = st.one_of(
    st.sampled_from(["Lisboa", "Porto", "", DIGEST_PREFIX + "ab", "1"]),
    st.integers(0, 2),
    st.booleans(),
    st.none(),
    st.floats(allow_infinity=False),
)
fields = st.dictionaries(
    st.sampled_from(["city", "name", "code", "password", "preferred_contact"]),
    st.one_of(scalars, st.dictionaries(st.sampled_from(["name", "phone"]), scalars, max_size=2)),
    max_size=4,
)


def _planning(applied: dict[str, Any] | None, comparable: bool) -> Planning:
    resources = {} if applied is None else {"client:1": Record(applied, AT)}
    known = KnownState(lineage="l", resources=resources)
    return Planning(None, known, DigestKey("k"), frozenset(), comparable)  # type: ignore[arg-type]


@settings(max_examples=500, deadline=None)
@given(
    applied=st.one_of(st.none(), fields),
    declared=fields,
    same=st.booleans(),
    comparable=st.booleans(),
)
def test_settled_exactly_when_an_update_finds_nothing_to_do(
    applied: dict[str, Any] | None, declared: dict[str, Any], same: bool, comparable: bool
) -> None:
    if same and applied is not None:
        declared = dict(applied)
    shortcut, careful = _planning(applied, comparable), _planning(applied, comparable)
    call = _update(careful, declared)
    settled = shortcut.settled("client:1", declared)
    assert settled == (applied is not None and comparable and applied == declared)
    if settled:
        assert call is None
        assert [(i.resource, i.why) for i in shortcut.in_sync] == [("client:1", IN_SYNC)]
    else:
        assert shortcut.in_sync == []
        # What is not settled may still be in sync (equal across types, 1 and True): the
        # update decides it, as before.
        assert call is not None or applied is not None


def _update(planning: Planning, declared: dict[str, Any]) -> Any:
    return planning.update(
        Action("update", "client"),
        3,
        "client:1",
        1,
        "/clients/1.json",
        lambda: {"client": declared},
        declared,
        lambda: Source("f", 1, 1),
    )


def test_a_record_holding_an_undeclared_field_is_in_sync_through_its_diff() -> None:
    """Not settled (the record holds more than is declared), yet nothing declared differs:
    the update finds nothing to do and the resource is collected in sync."""
    digest = DIGEST_PREFIX + "ab"
    declared: dict[str, Any] = {"city": "Lisboa", "password": digest}
    planning = _planning({**declared, "fax": "21"}, True)
    assert not planning.settled("client:1", declared)
    call = _update(planning, declared)
    assert call is None
    planning.collect(call, "client:1")
    assert [(i.resource, i.why) for i in planning.in_sync] == [("client:1", IN_SYNC)]


def test_with_secrets_not_comparable_a_recorded_secret_is_planned_again() -> None:
    digest = DIGEST_PREFIX + "ab"
    declared: dict[str, Any] = {"city": "Lisboa", "password": digest}
    planning = _planning(dict(declared), False)
    assert not planning.settled("client:1", declared)
    call = _update(planning, declared)
    assert call is not None and [c.path for c in call.changes] == ["password"]
