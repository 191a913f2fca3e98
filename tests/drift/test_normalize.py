"""Live values in the declared form, harmless rewrites, and folding them into the known state."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from reconciler.api.live import LiveState
from reconciler.core import normalize as norm
from reconciler.core.known import KnownState, Record
from reconciler.core.live_fold import fold
from reconciler.core.plan import build_plan
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import Desired
from reconciler.desired.loader import SourceMap
from reconciler.desired.models import Account, Client, DesiredState
from reconciler.sandbox.demo import demo_data
from reconciler.sandbox.views import account_view, client_view

KEY = DigestKey("test")
AT = "2026-01-01T00:00:00+00:00"


def _desired(**parts: Any) -> Desired:
    return Desired("state.yaml", DesiredState(**parts), SourceMap())


def test_live_values_take_the_declared_form() -> None:
    data = demo_data()
    client = norm.live_client(client_view(data["clients"][2]))
    assert client["send_options"] == 2 and client["country"] == "UK"
    assert client["preferred_contact"] == {"name": "", "email": "", "phone": ""}
    account = norm.live_account(account_view(data["account"]))
    assert account["tax_country"] == "1" and account["terms"] == "1"
    assert account["credentials"] is None
    assert "password" not in account


def test_equivalence_absorbs_only_harmless_rewrites() -> None:
    assert norm.equivalent("email", "Foo@Bar.pt", " foo@bar.pt")
    assert norm.equivalent("preferred_contact.email", "A@B.pt", "a@b.pt")
    assert norm.equivalent("city", "Porto ", "Porto")
    assert not norm.equivalent("name", "Acme", "ACME")
    assert not norm.equivalent("phone", "213456789", "+351 213456789")
    assert not norm.equivalent("send_options", 1, "1")


def test_fold_keeps_the_applied_value_when_live_is_only_respelled() -> None:
    client = Client(id=43, code="C-0043", name="Cliente Exemplo, S.A.", email="geral@exemplo.pt")
    applied = {"code": "C-0043", "name": "Cliente Exemplo, S.A.", "email": "geral@exemplo.pt"}
    known = KnownState.new().applied("client:43", Record(applied, "t"))
    view = {**client_view(demo_data()["clients"][1]), "email": "GERAL@exemplo.pt"}
    live = LiveState(clients={43: view})
    refreshed = fold(DesiredState(clients=(client,)), known, live, KEY, at=AT)
    assert refreshed.drift == ()
    assert refreshed.state.get("client:43") == known.get("client:43")


def test_fold_of_an_account_never_applied_leaves_the_secret_to_apply() -> None:
    account = Account.model_validate(
        {
            "id": 12345,
            "city": "Lisboa",
            "credentials": {"username": "999999990/1", "password": "at-secret-1"},
        }
    )
    live = LiveState(account=account_view(demo_data()["account"]))
    refreshed = fold(DesiredState(account=account), KnownState.new(), live, KEY, at=AT)
    assert refreshed.recorded == ("account:12345",)
    assert refreshed.unchecked_secrets == ("account.credentials.password",)
    plan = build_plan(_desired(account=account), refreshed.state, KEY)
    # The live account has no credentials: they are the only change.
    assert {c.path for c in plan.calls[0].changes} == {
        "credentials.username",
        "credentials.password",
    }


texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)


@given(city=texts, name=texts, phone=texts)
def test_after_folding_a_live_client_equal_to_the_file_the_plan_is_empty(
    city: str, name: str, phone: str
) -> None:
    client = Client(id=7, code="C7", name=name, city=city, phone=phone, send_options=3)
    stored = {**demo_data()["clients"][0], "id": 7, "code": "C7", "name": name}
    stored.update(city=city, phone=phone, send_options="3")
    live = LiveState(clients={7: client_view(stored)})
    refreshed = fold(DesiredState(clients=(client,)), KnownState.new(), live, KEY, at=AT)
    assert refreshed.drift == ()
    assert build_plan(_desired(clients=(client,)), refreshed.state, KEY).is_empty


def test_fold_stamps_what_it_records_with_the_time_it_is_given() -> None:
    """``core`` reads no clock: the caller says when the live values were read."""
    client = Client(id=7, code="C7", name="Sete")
    stored = {**demo_data()["clients"][0], "id": 7, "code": "C7", "name": "Sete"}
    live = LiveState(clients={7: client_view(stored)})
    refreshed = fold(DesiredState(clients=(client,)), KnownState.new(), live, KEY, at=AT)
    assert refreshed.recorded == ("client:7",)
    record = refreshed.state.get("client:7")
    assert record is not None and record.applied_at == AT
