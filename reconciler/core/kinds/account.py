"""The account: ``account:<id>``, updated with ``PUT /api/accounts/:id/update.json``.

Its AT password goes in Base64 and is never shown back, so a refresh can't compare it; a
change of its fiscal data on a managed account needs ``--force``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, SecretStr

from reconciler.core import normalize as norm
from reconciler.core import resources as res
from reconciler.core.calls import InSync
from reconciler.core.kinds.base import Reading
from reconciler.core.kinds.by_id import UpdatedById
from reconciler.core.kinds.sections import Layout, Reference, Section
from reconciler.desired.document import problem_at
from reconciler.desired.loader import YamlPath
from reconciler.desired.models import Account

if TYPE_CHECKING:
    from reconciler.core.kinds.planning import Planning
    from reconciler.desired.models import DesiredState

FISCAL_FIELDS = frozenset({"fiscal_id", "tax_country", "organization_name"})
CREDENTIALS = Layout(
    first=(("username", None),), references=(Reference("password", "AT_PASSWORD"),)
)
"""The AT credentials as import writes them: the password, never shown, as ``${AT_PASSWORD}``."""


class AccountKind(UpdatedById):
    name = "account"
    phase = 0
    update_path = "/api/accounts/{id}/update.json"
    target_group = "account"
    reading = Reading("one", "account", item_key="account", one="/api/accounts/{id}/get.json")
    protected_fields = FISCAL_FIELDS
    protected_what = "fiscal data"
    section = Section(
        "account",
        "mapping",
        Layout(
            flags=frozenset({"terms", "marketing"}),
            countries=frozenset({"tax_country"}),
            inner={"credentials": CREDENTIALS},
        ),
    )

    def declared(self, state: DesiredState) -> Iterator[tuple[YamlPath, BaseModel, int | None]]:
        if state.account is not None:
            yield ("account",), state.account, state.account.id

    def body(self, fields: dict[str, Any]) -> Mapping[str, Any]:
        """Every declared field; the AT password in Base64, as the API takes it."""
        credentials = fields.get("credentials")
        if credentials is not None:
            password: SecretStr = credentials["password"]
            encoded = base64.b64encode(password.get_secret_value().encode("utf-8")).decode("ascii")
            fields["credentials"] = {**credentials, "password": SecretStr(encoded)}
        return {"account": fields}

    def normalised(self, view: Mapping[str, Any]) -> Mapping[str, Any]:
        return norm.live_account(view)

    def plan(self, planning: Planning) -> None:
        account = planning.desired.state.account
        if account is None:
            return
        self._fiscal_problems(planning, account)
        if res.declared_fields(account):
            super().plan(planning)
        else:  # an update with an empty body would change nothing
            planning.in_sync.append(InSync(self.key(account.id), "nothing declared beyond its id"))

    def _fiscal_problems(self, planning: Planning, account: Account) -> None:
        record = planning.known.get(self.key(account.id))
        if record is None or account.fiscal_id is None:
            return
        applied = record.applied.get("fiscal_id")
        if applied and applied != account.fiscal_id:
            planning.problems.append(
                problem_at(
                    planning.desired,
                    ("account", "fiscal_id"),
                    f"Vat Number can't be changed (it is {applied!r} on account {account.id})",
                )
            )

    def unchecked_secrets(self, state: DesiredState) -> list[str]:
        if state.account is None:
            return []
        declared = res.declared_fields(state.account)
        return [f"account.{p}" for p, _ in norm.flatten(declared) if p in norm.SECRET_PATHS]


KIND = AccountKind()
