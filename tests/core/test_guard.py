"""The safety guard's boundaries: exactly the floor of managed clients, exactly the fraction."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reconciler.core.calls import Action
from reconciler.core.diff import FieldChange
from reconciler.core.guard import (
    DEFAULT_MAX_FRACTION,
    MIN_MANAGED,
    _managed,
    check_plan_is_safe,
    unsafe_reasons,
)
from reconciler.core.kinds import registry
from reconciler.core.kinds.account import KIND as ACCOUNT
from reconciler.core.kinds.base import Kind
from reconciler.core.kinds.client import KIND as CLIENTS
from reconciler.core.known import KnownState, Record
from reconciler.core.plan import Call, Plan, Reason
from reconciler.errors import UnsafePlan


def _known(managed: int) -> KnownState:
    records = {
        CLIENTS.key(i): Record(applied={"city": "Lisboa"}, applied_at="2025-01-01T00:00:00Z")
        for i in range(managed)
    }
    return KnownState(lineage="guard", resources=records)


def _updating(count: int) -> Plan:
    calls = tuple(
        Call(
            sort_key=(3, i),
            action=CLIENTS.update,
            resource=CLIENTS.key(i),
            target_id=i,
            method="PUT",
            path=f"/clients/{i}.json",
            body={"client": {"city": "Faro"}},
            changes=(FieldChange("city", "Lisboa", "Faro"),),
            reason=Reason.CHANGED,
        )
        for i in range(count)
    )
    return Plan(calls=calls, in_sync=(), lineage="guard", serial=0, key_id="k")


def test_the_floor_and_the_default_fraction_are_the_documented_ones() -> None:
    assert (MIN_MANAGED, DEFAULT_MAX_FRACTION) == (10, 0.3)


@pytest.mark.parametrize(
    ("managed", "updated", "refused"),
    [
        (9, 9, False),  # below the floor a fraction means nothing: all nine may change
        (10, 4, True),  # exactly at the floor the guard applies: 40 % is refused
        (10, 3, False),  # exactly 30 % is not "more than 30 %"
        (20, 6, False),  # exactly 30 % again, on a bigger account
        (20, 7, True),  # 35 %
    ],
)
def test_the_guard_counts_the_floor_and_the_fraction_inclusively(
    managed: int, updated: int, refused: bool
) -> None:
    reasons = unsafe_reasons(_updating(updated), _known(managed))
    expected = [f"it updates {updated} of the {managed} clients under management"]
    assert [r.split(" (")[0] for r in reasons] == (expected if refused else [])


def test_an_exact_configured_fraction_goes_ahead_and_one_more_is_refused() -> None:
    known = _known(12)
    assert unsafe_reasons(_updating(6), known, max_fraction=0.5) == []
    assert len(unsafe_reasons(_updating(7), known, max_fraction=0.5)) == 1


@pytest.mark.parametrize(("managed", "fraction"), [(90, 0.7), (170, 0.7), (330, 0.7)])
def test_exactly_the_fraction_goes_ahead_where_floating_point_would_round_it_down(
    managed: int, fraction: float
) -> None:
    exact = round(managed * fraction)
    assert fraction * managed < exact  # 0.7 * 90 is 62.99999999999999
    known = _known(managed)
    assert unsafe_reasons(_updating(exact), known, max_fraction=fraction) == []
    assert len(unsafe_reasons(_updating(exact + 1), known, max_fraction=fraction)) == 1


@settings(max_examples=200, deadline=None)
@given(st.integers(MIN_MANAGED, 400), st.integers(1, 99))
def test_more_than_the_fraction_and_never_exactly_it_is_refused(managed: int, percent: int) -> None:
    fraction = percent / 100
    known = _known(managed)
    allowed = percent * managed // 100  # the most updates within the fraction, exactly
    assert unsafe_reasons(_updating(allowed), known, max_fraction=fraction) == []
    if allowed < managed:
        assert unsafe_reasons(_updating(allowed + 1), known, max_fraction=fraction) != []


# Cases found by mutation testing (tests/MUTATION.md): the message's figures, the clients it
# counts, and the fiscal rule over a plan with other calls in it.

_ACCOUNT = "account:12345"


def _with_account(managed: int) -> KnownState:
    known = _known(managed)
    account = Record(applied={"fiscal_id": "1"}, applied_at="2025-01-01T00:00:00Z")
    return KnownState(lineage="guard", resources={**known.resources, _ACCOUNT: account})


def _account_update(*paths: str) -> Call:
    return Call(
        sort_key=(1, 0),
        action=ACCOUNT.update,
        resource=_ACCOUNT,
        target_id=12345,
        method="PUT",
        path="/api/accounts/12345/update.json",
        body={"company": dict.fromkeys(paths, "x")},
        changes=tuple(FieldChange(p, "a", "b") for p in paths),
        reason=Reason.CHANGED,
    )


def _plan(*calls: Call) -> Plan:
    return Plan(calls=calls, in_sync=(), lineage="guard", serial=0, key_id="k")


def test_the_refusal_names_the_share_updated_and_the_share_allowed() -> None:
    assert unsafe_reasons(_updating(4), _known(10)) == [
        "it updates 4 of the 10 clients under management (40%, more than the 30% allowed)"
    ]


def test_clients_not_yet_under_management_do_not_count_as_updated() -> None:
    # Ten managed clients (0-2 and 10-16); the plan updates clients 0-7, of which only
    # three are managed: 30 %, not 80 %.
    known = _known(17)
    managed = {k: v for k, v in known.resources.items() if k not in _CLIENTS_3_TO_9}
    assert len(managed) == 10
    assert unsafe_reasons(_updating(8), KnownState(lineage="guard", resources=managed)) == []


_CLIENTS_3_TO_9 = {CLIENTS.key(i) for i in range(3, 10)}


def test_a_known_account_update_is_no_client_update() -> None:
    plan = _plan(*_updating(3).calls, _account_update("city"))
    assert unsafe_reasons(plan, _with_account(10)) == []


def test_a_fiscal_change_after_other_calls_is_still_found() -> None:
    plan = _plan(*_updating(1).calls, _account_update("fiscal_id", "organization_name"))
    assert unsafe_reasons(plan, _with_account(10)) == [
        f"it changes the fiscal data of {_ACCOUNT} (fiscal_id, organization_name)"
    ]


def test_a_fiscal_change_after_an_account_call_without_a_record_is_still_found() -> None:
    unrecorded = replace(_account_update("fiscal_id"), resource="account:1")
    plan = _plan(unrecorded, _account_update("fiscal_id"))
    assert unsafe_reasons(plan, _with_account(10)) == [
        f"it changes the fiscal data of {_ACCOUNT} (fiscal_id)"
    ]


def test_the_refusal_lists_every_reason_and_says_how_to_proceed() -> None:
    plan = _plan(*_updating(4).calls, _account_update("tax_country"))
    with pytest.raises(UnsafePlan) as refused:
        check_plan_is_safe(plan, _with_account(10))
    assert str(refused.value) == (
        "refusing to apply: it updates 4 of the 10 clients under management "
        "(40%, more than the 30% allowed); "
        f"it changes the fiscal data of {_ACCOUNT} (tax_country). Nothing was applied; "
        "review the plan, then re-run with --force to apply it anyway "
        "(or limit it with --target, or raise RECONCILER_MAX_CHANGE_FRACTION)."
    )


def test_calls_are_counted_by_their_action_equal_not_the_same_object() -> None:
    # The guard decides once per action object; a call whose action is an equal copy (as a
    # saved plan read back makes) counts alike, and an action that differs does not.
    copies = [replace(call, action=Action("update", "client")) for call in _updating(4).calls]
    other = replace(copies[0], action=Action("create", "client"), resource=CLIENTS.key(5))
    fiscal = replace(_account_update("fiscal_id"), action=Action("update", "account"))
    assert unsafe_reasons(_plan(*copies[:3], other, fiscal), _with_account(10)) == [
        f"it changes the fiscal data of {_ACCOUNT} (fiscal_id)"
    ]
    assert unsafe_reasons(_plan(*copies, other), _known(10)) == [
        "it updates 4 of the 10 clients under management (40%, more than the 30% allowed)"
    ]


_KEYS = st.lists(
    st.one_of(
        st.sampled_from(
            ["default_sequence", "client:", "client:1", "clients:2", "account:3", "sequence:4"]
        ),
        st.sampled_from(
            ["lookup:client-code:C1", "registration:5", "new-sequence:2027", "tax:6", "item:7"]
        ),
        st.text(st.sampled_from("clientaxsequ:0_"), max_size=10),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(_KEYS)
def test_managed_resources_are_counted_as_each_kind_owns_them(keys: list[str]) -> None:
    # Counted in C for a kind that owns by literal keys and prefixes: as its ``owns`` says.
    known = KnownState(
        lineage="guard", resources=dict.fromkeys(keys, Record({}, "2025-01-01T00:00:00Z"))
    )
    for kind in registry.KINDS:
        assert _managed(kind, known) == sum(map(kind.owns, known.resources)), kind.name


@settings(max_examples=300, deadline=None)
@given(
    _KEYS,
    st.lists(st.sampled_from(["default_sequence", "client:1", "x", "client"]), max_size=3),
    st.lists(st.sampled_from(["client", "clients", "account", ""]), max_size=2),
)
@example(["client:1", "x"], ["client:1", "x"], ["client"])  # a literal its prefix also owns
def test_managed_resources_of_any_literals_and_prefixes_are_counted_as_owned(
    keys: list[str], literals: list[str], prefixes: list[str]
) -> None:
    kind = Kind()
    kind.target_literals, kind.target_prefixes = tuple(literals), tuple(prefixes)
    known = KnownState(
        lineage="guard", resources=dict.fromkeys(keys, Record({}, "2025-01-01T00:00:00Z"))
    )
    assert _managed(kind, known) == sum(map(kind.owns, known.resources))
