"""Desired-state models: what a user may declare, validated as the API documents it.

Every model forbids unknown keys. A field left as ``None`` was not declared and is not managed.
Values are normalized here (country names to their canonical Unicode, ``tax_country`` to the
API's numeric option, ``send_options`` to an int), so the diff never sees two spellings of a value.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
)

from reconciler.desired.loader.source import shorten

# Patterns are matched against the whole value (``fullmatch``) and name ASCII digits: ``\d``
# would take Arabic-Indic digits and ``$`` a trailing line break, which the API refuses.
AT_USERNAME = re.compile(r"[0-9]{9}/[0-9]+")
PT_POSTAL_CODE = re.compile(r"[0-9]{4}-[0-9]{3}")
# Deliberately simple: one @, no spaces, a dot in the domain. The API's own rule is not published.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
DECIMAL = re.compile(r"0|[1-9][0-9]{0,29}")
PORTUGAL = "1"


@cache
def countries() -> tuple[str, ...]:
    """The country names the API accepts, in its order (``tax_country`` is 1-based into it)."""
    text = resources.files("reconciler").joinpath("data/countries.txt").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@cache
def _country_lookup() -> dict[str, str]:
    """Maps a case- and apostrophe-insensitive key to the canonical country name."""
    return {_country_key(name): name for name in countries()}


def _country_key(name: str) -> str:
    """Case, accents and apostrophe style don't matter when matching a country name."""
    decomposed = unicodedata.normalize("NFKD", name.replace("’", "'").strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _canonical_country(value: str) -> str:
    canonical = _country_lookup().get(_country_key(value))
    if canonical is None:
        raise ValueError(f"Country {value} was not found (see the list of accepted countries)")
    # An obvious spelling (case, accents, straight apostrophe) is accepted; the API's exact
    # text is what gets compared and sent.
    return canonical


def _tax_country(value: object) -> str:
    text = str(value).strip()
    names = countries()
    if text.isascii() and text.isdigit():
        if not 1 <= int(text) <= len(names):
            raise ValueError(f"tax_country {text} is not an option (1 to {len(names)})")
        return str(int(text))
    return str(names.index(_canonical_country(text)) + 1)


def _email(value: str) -> str:
    value = value.strip()
    if not EMAIL.fullmatch(value):
        raise ValueError(f"{value!r} must be an email")
    return value


def _flag(value: object) -> str:
    """``terms`` and ``marketing`` are "1" (accepted) or "0" (not accepted) in the API."""
    value = getattr(value, "value", value)  # an unquoted YAML true/false keeps its native value
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value).strip()
    if text not in {"0", "1"}:
        raise ValueError("must be 1 (accepted) or 0 (not accepted)")
    return text


def _as_text(value: object) -> object:
    """Reject YAML mappings and lists where text is expected; keep scalars' text."""
    if isinstance(value, dict | list):
        raise ValueError("must be text, not a mapping or a list")
    return value


def _whole_number(value: object) -> int:
    """A whole number written in decimal digits; YAML's other spellings of one are refused.

    ``4_2``, ``+42``, ``42.0``, ``0x2A``, ``052`` or ``١٢`` would read as 42 (or 34) to some
    reader and as text to another, so a file using them means different things to different
    tools: only ``[0-9]+`` without a leading zero is a number here.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise ValueError("expected a whole number in decimal digits")
    if DECIMAL.fullmatch(value):
        return int(value)
    if value.isascii() and value.isdigit() and value[0] != "0":
        raise ValueError(f"is too large ({len(value)} digits)")
    spelled = " in decimal digits (no sign, '_', '.', exponent, leading 0 or 0x)"
    spelled = spelled if any(c.isdigit() for c in value) else ""
    raise ValueError(f"expected a whole number{spelled}, got '{shorten(value)}'")


WholeNumber = BeforeValidator(_whole_number)

# The length limit comes first so that pydantic checks it natively, not in Python.
Text = Annotated[str, Field(max_length=10_000), BeforeValidator(_as_text)]
Email = Annotated[Text, AfterValidator(_email)]
Country = Annotated[Text, AfterValidator(_canonical_country)]
Flag = Annotated[str, BeforeValidator(_flag)]
Language = Literal["pt", "en", "es"]
Id = Annotated[int, Field(gt=0, lt=2**63), WholeNumber]


SECRET_FIELDS = frozenset({"password", "credentials.password"})
"""The account's fields that hold secrets, as dotted paths: shown only redacted, stored only as
keyed digests, never read back from the API."""


class Model(BaseModel):
    """Base of every desired-state model: unknown keys rejected, values immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Credentials(Model):
    """Tax Authority (AT) credentials; the password is sent Base64-encoded as the API requires."""

    username: Text
    password: SecretStr
    type: Literal["AT"] | None = None
    context: Literal["Sequences"] | None = None

    @field_validator("username")
    @classmethod
    def _username_format(cls, value: str) -> str:
        if not AT_USERNAME.fullmatch(value):
            raise ValueError("Username doesn't match required format (NIF/N, e.g. 123456789/1)")
        return value

    @field_validator("password")
    @classmethod
    def _password_length(cls, value: SecretStr) -> SecretStr:
        if not 8 <= len(value.get_secret_value()) <= 14:
            raise ValueError("AT passwords are 8 to 14 characters long")
        return value


class Account(Model):
    """The account's details, as in ``PUT /api/accounts/:account-id/update.json``."""

    id: Id
    organization_name: Text | None = None
    first_name: Text | None = None
    last_name: Text | None = None
    phone: Text | None = None
    email: Email | None = None
    password: SecretStr | None = None
    fiscal_id: Text | None = None
    # tax_country comes before postal_code: the postal code rule depends on it.
    tax_country: Annotated[str, BeforeValidator(_tax_country)] | None = None
    address: Text | None = None
    postal_code: Text | None = None
    city: Text | None = None
    language: Language | None = None
    terms: Flag | None = None
    marketing: Flag | None = None
    credentials: Credentials | None = None

    @property
    def is_portuguese(self) -> bool:
        """Undeclared ``tax_country`` counts as Portugal, the API's first and default option."""
        return self.tax_country in (None, PORTUGAL)

    @field_validator("postal_code")
    @classmethod
    def _postal_code_format(cls, value: str | None, info: ValidationInfo) -> str | None:
        portuguese = info.data.get("tax_country") in (None, PORTUGAL)
        if value is not None and portuguese and not PT_POSTAL_CODE.fullmatch(value):
            raise ValueError("Postal Code must have the following format DDDD-DDD")
        return value


class PreferredContact(Model):
    """The client's preferred contact."""

    name: Text | None = None
    email: Email | None = None
    phone: Text | None = None


class Client(Model):
    """A client, as in ``PUT /clients/:client-id.json``. ``name`` and ``code`` are required.

    Without ``id`` the client is found by its ``code`` on the live account (and created when
    that is allowed); the id found is recorded in the known state.
    """

    id: Id | None = None
    code: Annotated[Text, Field(min_length=1)]
    name: Annotated[Text, Field(min_length=1)]
    email: Email | None = None
    language: Language | None = None
    address: Text | None = None
    city: Text | None = None
    postal_code: Text | None = None
    country: Country | None = None
    fiscal_id: Text | None = None
    website: Text | None = None
    phone: Text | None = None
    fax: Text | None = None
    preferred_contact: PreferredContact | None = None
    observations: Text | None = None
    send_options: Annotated[int, Field(ge=1, le=3), WholeNumber] | None = None


def _sequence_ref(value: Any) -> Any:
    """An unquoted number is a sequence id; quoted text names a serie (e.g. ``"2025"``)."""
    native = getattr(value, "value", value)  # an unquoted YAML scalar keeps its native value
    if isinstance(native, int) and not isinstance(native, bool):
        native = _whole_number(value)
        if not 0 < native < 2**63:
            raise ValueError(f"sequence id {native} must be a positive whole number")
        return native
    if isinstance(value, str) and not hasattr(value, "value"):
        if not value.strip():
            raise ValueError("a serie must not be empty")
        return value.strip()
    raise ValueError(
        'expected a sequence id (a whole number) or a serie (quoted text, e.g. "2025")'
    )


SequenceRef = Annotated[int | str, BeforeValidator(_sequence_ref)]
"""A sequence by id (``int``) or by serie (``str``), resolved against the live account."""


class Sequences(Model):
    """Which sequence is the default and which are registered with the Tax Authority."""

    model_config = ConfigDict(populate_by_name=True)

    default: SequenceRef | None = None
    # ``register`` would shadow ``BaseModel.register`` (from ABCMeta), hence the alias.
    to_register: tuple[SequenceRef, ...] = Field(default=(), alias="register")

    @field_validator("to_register")
    @classmethod
    def _no_repeats(cls, value: tuple[int | str, ...]) -> tuple[int | str, ...]:
        repeated = sorted({v for v in value if value.count(v) > 1}, key=str)
        if repeated:
            raise ValueError(f"sequence {repeated[0]} is listed more than once")
        return value


def _boolean(value: Any) -> Any:
    native = getattr(value, "value", value)  # an unquoted YAML true/false keeps its native value
    if isinstance(native, bool):
        return native
    raise ValueError("must be true or false")


class Options(Model):
    """How the file is applied, beyond what it declares."""

    create_missing_clients: Annotated[bool, BeforeValidator(_boolean)] = False


class DesiredState(Model):
    """The whole desired-state file."""

    options: Options | None = None
    account: Account | None = None
    sequences: Sequences | None = None
    clients: tuple[Client, ...] = ()
