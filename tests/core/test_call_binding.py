"""A call waiting for a creation of the same plan names it by a placeholder, bound to the id the
API gave once the creation has succeeded."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from reconciler.core.calls import Action, Call, Reason, placeholder

REGISTER = Action("register", "sequence")


def _waiting(serie: str) -> Call:
    named = placeholder("new-sequence:" + serie)
    return Call(
        sort_key=(1, 0),
        action=REGISTER,
        resource=f"registration:{named}",
        target_id=0,
        method="PUT",
        path=f"/sequences/{named}/register.json",
        body=None,
        changes=(),
        reason=Reason.NOT_REGISTERED,
        record={"id": named, "registered": True},
    )


@given(serie=st.text(min_size=1), given_id=st.integers(min_value=1, max_value=2**63 - 1))
@example(serie="a}/{b", given_id=7)
def test_any_serie_is_shown_as_written_and_bound_to_the_id_given(serie: str, given_id: int) -> None:
    call = _waiting(serie)
    assert call.waits_for == "new-sequence:" + serie
    assert call.subject == repr(serie)
    bound = call.bound({"new-sequence:" + serie: given_id})
    assert bound.path == f"/sequences/{given_id}/register.json"
    assert bound.resource == f"registration:{given_id}"
    assert bound.target_id == given_id
    assert bound.record == {"id": given_id, "registered": True}
    assert bound.subject == str(given_id)


def test_a_call_is_left_as_it_is_until_its_creation_has_an_id() -> None:
    call = _waiting("2027")
    assert call.bound({}) is call
    assert call.bound({"new-sequence:2028": 5}) is call
