"""Validation of account and client bodies: every problem found, in the API's wording.

Each check takes the stored record and the body's object and returns the changes to make and the
messages of a 422 answer. Keys the API does not know are ignored, as a Rails server's permitted
parameters would. Text fields accept JSON strings and numbers (numbers are kept as their text) and
``null`` (clears the field); anything else is "<Field> is invalid".
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from reconciler.sandbox.countries import CLIENT_COUNTRY_SET, COUNTRIES

PORTUGAL = "1"
LANGUAGES = ("pt", "en", "es")
# ASCII digits only: ``\d`` would also accept other scripts' digits.
POSTAL_CODE = re.compile(r"[0-9]{4}-[0-9]{3}")
AT_USERNAME = re.compile(r"[0-9]{9}/[0-9]+")
BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
# The API's own email rule is not published: one @, no spaces, a dot in the domain.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

ACCOUNT_TEXT = (
    "organization_name",
    "first_name",
    "last_name",
    "phone",
    "email",
    "fiscal_id",
    "address",
    "postal_code",
    "city",
)
CLIENT_TEXT = (
    "email",
    "address",
    "city",
    "postal_code",
    "country",
    "fiscal_id",
    "website",
    "phone",
    "fax",
    "observations",
)
CONTACT_TEXT = ("name", "email", "phone")

Taken = Callable[[str, str], bool]
"""``taken(key, value)``: whether another client holds ``value`` as its ``name`` or ``code``."""


@dataclass
class Checked:
    """The outcome of a check: the changes to store, or the reasons not to."""

    changes: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _text(value: Any) -> str | None:
    """The text of a scalar (``None`` → ``""``); ``None`` for a value that is not text."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return value if isinstance(value, str) else str(value)


def _is_email(value: str) -> bool:
    return EMAIL.fullmatch(value) is not None


def _take_text(given: dict[str, Any], keys: Iterable[str], out: Checked) -> None:
    for key in keys:
        if key in given:
            text = _text(given[key])
            if text is None:
                out.errors.append(f"{_label(key)} is invalid")
            else:
                out.changes[key] = text


def _flag(value: Any) -> str | None:
    """``terms``/``marketing``: 1/0 as a number or a string."""
    if isinstance(value, bool):
        return None
    text = str(value).strip() if isinstance(value, str | int) else ""
    return text if text in ("0", "1") else None


def _tax_country(value: Any) -> str | None:
    """A 1-based index into the country list, given as a number or a string of digits."""
    if isinstance(value, bool):
        return None
    text = str(value).strip() if isinstance(value, str | int) else ""
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(COUNTRIES):
        return str(int(text))
    return None


def check_account(
    account: dict[str, Any], given: dict[str, Any], taken_fiscal_ids: Iterable[str]
) -> Checked:
    """A partial account update: absent keys keep their values."""
    out = Checked()
    _take_text(given, ACCOUNT_TEXT, out)
    for key in ("organization_name", "email"):
        # Both are required by the docs; a partial update may omit them but not blank them.
        if key in out.changes and not out.changes[key].strip():
            out.errors.append(f"{_label(key)} can't be blank")
    email = out.changes.get("email", "")
    if email.strip() and not _is_email(email):
        out.errors.append("Email must be an email")
    if "language" in given:
        if given["language"] in LANGUAGES:
            out.changes["language"] = given["language"]
        else:
            out.errors.append("Language is not included in the list")
    if "tax_country" in given:
        country = _tax_country(given["tax_country"])
        if country is None:
            out.errors.append("Tax country is not included in the list")
        else:
            out.changes["tax_country"] = country
    for key in ("terms", "marketing"):
        if key in given:
            flag = _flag(given[key])
            if flag is None:
                out.errors.append(f"{_label(key)} is not included in the list")
            elif key == "terms" and flag != "1":
                out.errors.append("Terms and Conditions must be accepted")
            else:
                out.changes[key] = flag
    if "password" in given:
        # The user's login password: checked, never stored nor shown.
        password = given["password"]
        if not isinstance(password, str) or not password:
            out.errors.append("Password can't be blank")
    _check_fiscal_id(account, out, taken_fiscal_ids)
    _check_postal_code(account, out)
    if "credentials" in given:
        _check_credentials(given["credentials"], out)
    return out


def _check_fiscal_id(account: dict[str, Any], out: Checked, taken: Iterable[str]) -> None:
    if "fiscal_id" not in out.changes:
        return
    new = out.changes["fiscal_id"]
    current = account.get("fiscal_id") or ""
    # Sending the fiscal id the account already has is not a change.
    if current and new != current:
        out.errors.append("Vat Number can't be changed")
    if new and new != current and new in set(taken):
        out.errors.append("Vat Number is already used in another account")


def _check_postal_code(account: dict[str, Any], out: Checked) -> None:
    # The record as it would be saved is validated, as Rails validates a whole record on save:
    # a Portuguese account's postal code, when set, must be DDDD-DDD.
    after = {**account, **out.changes}
    postal_code = after.get("postal_code") or ""
    portuguese = after.get("tax_country") == PORTUGAL
    if portuguese and postal_code and POSTAL_CODE.fullmatch(postal_code) is None:
        out.errors.append("Postal Code must have the following format DDDD-DDD")


def _check_credentials(credentials: Any, out: Checked) -> None:
    if not isinstance(credentials, dict):
        out.errors += ["Username is not valid.", "Password is not valid."]
        return
    username = credentials.get("username")
    if not isinstance(username, str) or not username.strip():
        out.errors.append("Username is not valid.")
    elif AT_USERNAME.fullmatch(username) is None:
        out.errors.append("Username doesn't match required format.")
    password = credentials.get("password")
    if not _is_at_password(password):
        out.errors.append("Password is not valid.")
    kind = credentials.get("type", "AT")
    if kind != "AT":
        out.errors.append("Credential type is invalid.")
    context = credentials.get("context", "Sequences")
    if context != "Sequences":
        out.errors.append("Credential context is invalid.")
    # The whole credentials object is replaced; the password is kept Base64, as received.
    out.changes["credentials"] = {
        "username": username,
        "password": password,
        "type": kind,
        "context": context,
    }


def _is_at_password(value: Any) -> bool:
    """Strict Base64 of an 8-14 character UTF-8 password (the Tax Authority's length rule)."""
    if not isinstance(value, str) or not value or BASE64.fullmatch(value) is None:
        return False
    try:
        password = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return 8 <= len(password) <= 14


def check_client(client: dict[str, Any], given: dict[str, Any], taken: Taken) -> Checked:
    """A client body, for create (``client`` empty) or update: ``name`` and ``code`` required;
    ``taken`` says whether another client holds a name or a code."""
    out = Checked()
    for key in ("name", "code"):
        text = _text(given.get(key))
        if text is None or not text.strip():
            out.errors.append(f"{_label(key)} can't be blank")
        else:
            out.changes[key] = text
    _take_text(given, CLIENT_TEXT, out)
    email = out.changes.get("email", "")
    if email.strip() and not _is_email(email):
        out.errors.append("Email must be an email")
    country = out.changes.get("country", "")
    if country and country not in CLIENT_COUNTRY_SET:
        # Exact Unicode match: "Cote d'Ivoire" is not "Côte d’Ivoire".
        out.errors.append(f"Country {country} was not found")
    if "language" in given:
        # ``null`` means "the account's language", as the API reports it.
        if given["language"] is None or given["language"] in LANGUAGES:
            out.changes["language"] = given["language"]
        else:
            out.errors.append("Language is not included in the list")
    if "send_options" in given:
        _check_send_options(given["send_options"], out)
    if "preferred_contact" in given:
        _check_contact(client.get("preferred_contact") or {}, given["preferred_contact"], out)
    _check_unique(out, taken)
    return out


def _check_send_options(value: Any, out: Checked) -> None:
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?[0-9]+\s*", value):
        number = int(value)
    else:
        number = None
    if number is None:
        out.errors.append("Send options is not a number")
    elif not 1 <= number <= 3:
        out.errors.append("Send options must be within 1 and 3")
    else:
        # Stored and shown as a string, as the API's read side types it.
        out.changes["send_options"] = str(number)


def _check_contact(current: dict[str, Any], given: Any, out: Checked) -> None:
    # The contact is merged, as Rails' nested attributes update it: keys absent keep their values.
    if not isinstance(given, dict):
        out.errors.append("Client contact is invalid")
        return
    contact = {key: current.get(key, "") for key in CONTACT_TEXT}
    for key in CONTACT_TEXT:
        if key in given:
            text = _text(given[key])
            if text is None:
                out.errors.append("Client contact is invalid")
                return
            contact[key] = text
    if contact["email"].strip() and not _is_email(contact["email"]):
        out.errors.append("Preferred contact: email must be an email")
    out.changes["preferred_contact"] = contact


def _check_unique(out: Checked, taken: Taken) -> None:
    # Exact, case-sensitive comparison. Code uniqueness is not documented; a code identifies a
    # client (find-by-code), so a duplicate is refused like a duplicate name.
    for key in ("name", "code"):
        value = out.changes.get(key)
        if value and taken(key, value):
            out.errors.append(f"{_label(key)} has already been taken")


def taken_among(others: Iterable[dict[str, Any]]) -> Taken:
    """``taken`` for a list of the other clients, scanned on each call."""
    others = list(others)
    return lambda key, value: any(other.get(key) == value for other in others)
