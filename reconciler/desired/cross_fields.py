"""Checks that span several fields, run on each field that is valid on its own.

A NIF's check digit is checked only in Portugal, which another field says (the account's
``tax_country``, a client's ``country``). When the file has other problems there is no valid
model to ask, so each field these checks need is read alone, as its model would read it: every
problem of the file is reported at once, and a field that is itself a problem (an unknown
country) decides nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from reconciler.desired.loader import YamlPath
from reconciler.desired.models import (
    PORTUGAL,
    Account,
    Client,
    DesiredState,
    FiscalId,
    client_in_portugal,
)

_UNKNOWN: Any = object()
"""A field that is itself a problem (or was spoiled by an earlier stage): it decides nothing."""


def fiscal_ids(state: DesiredState) -> Iterator[FiscalId]:
    """The fiscal ids of a valid state, with whether each is Portuguese."""
    account = state.account
    portuguese = account is not None and account.is_portuguese
    if account is not None and account.fiscal_id:
        yield FiscalId(("account", "fiscal_id"), account.fiscal_id, portuguese)
    for index, client in enumerate(state.clients):
        if client.fiscal_id:
            in_portugal = client_in_portugal(client.country, portuguese)
            yield FiscalId(("clients", index, "fiscal_id"), client.fiscal_id, in_portugal)


def fiscal_ids_of_fields(data: Any, spoiled: frozenset[YamlPath]) -> Iterator[FiscalId]:
    """The fiscal ids of a file that has problems: each read with the fields it depends on,
    where those are valid on their own."""
    data = data if isinstance(data, Mapping) else {}
    account = data.get("account")
    portuguese: bool | None = False
    if isinstance(account, Mapping):
        country = _field(Account, "tax_country", account, ("account",), spoiled)
        portuguese = None if country is _UNKNOWN else country in (None, PORTUGAL)
        fiscal = _field(Account, "fiscal_id", account, ("account",), spoiled)
        if fiscal is not _UNKNOWN:
            yield FiscalId(("account", "fiscal_id"), fiscal, portuguese)
    elif account is not None:
        portuguese = None
    clients = data.get("clients")
    for index, client in enumerate(clients if isinstance(clients, list) else []):
        if not isinstance(client, Mapping):
            continue
        where: YamlPath = ("clients", index)
        country = _field(Client, "country", client, where, spoiled)
        fiscal = _field(Client, "fiscal_id", client, where, spoiled)
        if country is _UNKNOWN or fiscal is _UNKNOWN:
            continue
        in_portugal = client_in_portugal(country, portuguese)
        yield FiscalId((*where, "fiscal_id"), fiscal, in_portugal)


def _field(
    model: type[BaseModel],
    name: str,
    mapping: Mapping[str, Any],
    where: YamlPath,
    spoiled: frozenset[YamlPath],
) -> Any:
    """The field ``name`` of ``model`` as the model reads it from ``mapping`` (its default
    when left out), or ``_UNKNOWN`` when it is a problem or an earlier stage spoiled it."""
    path = (*where, name)
    if any(path[:end] in spoiled for end in range(len(path) + 1)):
        return _UNKNOWN
    if name not in mapping:
        return model.model_fields[name].default
    try:
        return _adapter(model, name).validate_python(mapping[name])
    except ValidationError:
        return _UNKNOWN


@cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """A validator of one field alone, as its model declares it (constraints included)."""
    info = model.model_fields[name]
    annotation: Any = info.annotation
    return TypeAdapter(Annotated[annotation, *info.metadata] if info.metadata else annotation)
