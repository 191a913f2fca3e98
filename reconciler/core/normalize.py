"""Live values in the form the planner compares, and when two values count as the same.

The one place where what the API shows is turned into what a desired-state file declares, so
drift, adoption, import and read-back verification never report a difference of spelling:

- every text field is the API's text; ``null`` stays ``None`` (a client's ``language`` is
  ``null`` when the account's language applies);
- ``send_options`` ``"2"`` → ``2``, as the models hold it;
- ``tax_country`` → its option number as text (``"1"``), a country name → the API's exact name,
  ``terms``/``marketing`` → ``"1"``/``"0"``, as the models normalize the declared values;
- ``credentials`` keep ``username``, ``type`` and ``context``: the API never shows a password,
  so secrets are never compared with the live account;
- ``preferred_contact`` keeps ``name``, ``email`` and ``phone``.

Two values are *equivalent* (a harmless rewrite, not a difference) when they are equal after
removing surrounding whitespace, and, for email fields, ignoring letter case. Nothing else is
absorbed: a phone number reformatted or a name re-cased is a real difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from reconciler.desired.models import (
    SECRET_FIELDS,
    Account,
    Client,
    PreferredContact,
    countries,
)
from reconciler.desired.models import _client_country as canonical_country

ACCOUNT_FIELDS = tuple(name for name in Account.model_fields if name not in {"id", "password"})
CLIENT_FIELDS = tuple(name for name in Client.model_fields if name != "id")
CONTACT_FIELDS = tuple(PreferredContact.model_fields)
CREDENTIAL_FIELDS = ("username", "type", "context")
SECRET_PATHS = SECRET_FIELDS
NOT_REGISTERED = "N/D"
NOT_RELEVANT = "N/A"


def _text(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else str(value)


def as_decimal(text: str) -> int | None:
    """``text`` as a whole number when it is ASCII decimal digits (at most 30), else None.

    ``str.isdigit`` alone takes other scripts' digits (``int("٤٢") == 42``) and ``int`` refuses
    more than 4,300 digits with an exception: neither may decide what a server's text means.
    """
    return int(text) if 0 < len(text) <= 30 and text.isascii() and text.isdigit() else None


def _tax_country(value: Any) -> Any:
    text = str(value).strip() if value is not None else ""
    if as_decimal(text) is not None:
        return str(int(text))
    names = countries()
    return str(names.index(text) + 1) if text in names else _text(value)


def _country(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return _text(value)
    try:
        return canonical_country(value)
    except ValueError:
        return value


def _send_options(value: Any) -> Any:
    text = str(value).strip() if value is not None else ""
    number = as_decimal(text)
    return number if number is not None else value


def live_account(view: Mapping[str, Any]) -> dict[str, Any]:
    """The account as ``GET /api/accounts/:id/get.json`` shows it, in the declared form.

    A field the answer does not carry is left out (the API does not echo every field it
    accepts, e.g. the AT credentials): what was not read can't be compared.
    """
    out: dict[str, Any] = {}
    for name in ACCOUNT_FIELDS:
        if name not in view:
            continue
        if name == "credentials":
            credentials = view.get("credentials")
            if isinstance(credentials, Mapping):
                out[name] = {
                    key: _text(credentials.get(key))
                    for key in CREDENTIAL_FIELDS
                    if key in credentials
                }
            else:
                out[name] = None
        elif name == "tax_country":
            out[name] = _tax_country(view.get(name))
        else:
            out[name] = _text(view.get(name))
    return out


def live_client(view: Mapping[str, Any]) -> dict[str, Any]:
    """A client as ``GET /clients/:id.json`` shows it, in the declared form (fields the answer
    does not carry left out)."""
    out: dict[str, Any] = {}
    for name in CLIENT_FIELDS:
        if name not in view:
            continue
        value = view.get(name)
        if name == "preferred_contact":
            contact = value if isinstance(value, Mapping) else {}
            out[name] = {key: _text(contact.get(key, "")) for key in CONTACT_FIELDS}
        elif name == "send_options":
            out[name] = _send_options(value)
        elif name == "country":
            out[name] = _country(value)
        else:
            out[name] = _text(value)
    return out


def client_id(view: Mapping[str, Any]) -> int | None:
    """A client's id as an int (the API shows ids as text)."""
    text = str(view.get("id", "")).strip()
    return as_decimal(text)


def is_registered(sequence: Mapping[str, Any]) -> bool:
    """Every document type that needs an ATCUD has a validation code (none is ``N/D``)."""
    codes = [v for k, v in sequence.items() if k.endswith("_validation_code")]
    return bool(codes) and NOT_REGISTERED not in codes and any(c != NOT_RELEVANT for c in codes)


def validation_codes(sequence: Mapping[str, Any]) -> dict[str, Any]:
    """``{"invoice": "ABCD1234", ...}``, as an apply records a registration's answer."""
    return {
        name.removeprefix("current_").removesuffix("_validation_code"): value
        for name, value in sequence.items()
        if name.endswith("_validation_code")
    }


def series_ids(sequences: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Serie → sequence id, for every sequence listed."""
    return {str(s.get("serie")): int(s["id"]) for s in sequences}


def default_sequence(sequences: list[Mapping[str, Any]]) -> int | None:
    """The id of the sequence marked as the default, if any."""
    for sequence in sequences:
        if str(sequence.get("default_sequence")) == "1":
            return int(sequence["id"])
    return None


def flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``{"a": {"b": 1}}`` → ``("a.b", 1)``: nested mappings by dotted path."""
    for key, value in data.items():
        if isinstance(value, Mapping):
            yield from flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def lookup(data: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path, ``None`` where any part is missing."""
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def has(data: Mapping[str, Any], path: str) -> bool:
    """Whether a dotted path is present (its value may be ``None``)."""
    *parents, last = path.split(".")
    for part in parents:
        child = data.get(part)
        if not isinstance(child, Mapping):
            return False
        data = child
    return last in data


def assign(data: dict[str, Any], path: str, value: Any) -> None:
    """Set the value at a dotted path, creating mappings on the way."""
    *parents, last = path.split(".")
    for part in parents:
        child = data.get(part)
        if not isinstance(child, dict):
            child = {} if not isinstance(child, Mapping) else dict(child)
            data[part] = child
        data = child
    data[last] = value


def equivalent(path: str, one: Any, other: Any) -> bool:
    """Whether two values of the field at ``path`` are the same for every purpose that counts."""
    if one == other:
        return True
    if not isinstance(one, str) or not isinstance(other, str):
        return False
    first, second = one.strip(), other.strip()
    if path.rsplit(".", 1)[-1] == "email":
        return first.casefold() == second.casefold()
    return first == second
