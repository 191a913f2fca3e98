"""Desired-state models: what a user may declare, validated as the API documents it.

Every model forbids unknown keys. A field left as ``None`` was not declared and is not managed.
Values are normalized here (country names to their canonical Unicode, ``tax_country`` to the
API's numeric option, ``send_options`` to an int), so the diff never sees two spellings of a value.
"""

# No ``from __future__ import annotations``: pydantic reads each field's annotation as the
# object it is, instead of evaluating its text when the class is made (a cheaper import).
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal, NamedTuple

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

from reconciler.desired.emails import checked_email
from reconciler.desired.emails import plainly_valid_email as plainly_valid_email
from reconciler.desired.loader.limits import MAX_NUMBER_DIGITS
from reconciler.desired.loader.scalars import LongNumber
from reconciler.desired.loader.source import shorten
from reconciler.desired.nif import valid_nif

# ASCII digits only ('\d' would take any script's digits, which the API refuses); the schema
# for editors uses the same patterns (``desired.editor_rules``).
AT_USERNAME = re.compile(r"^[0-9]{9}/[0-9]+$")
PT_POSTAL_CODE = re.compile(r"^[0-9]{4}-[0-9]{3}$")
DECIMAL = re.compile(f"0|[1-9][0-9]{{0,{MAX_NUMBER_DIGITS - 1}}}")
"""Plain decimal digits: the one reading of a whole number (matched whole)."""
PORTUGAL = "1"
PORTUGAL_NAME = "Portugal"
CLIENT_ONLY_COUNTRIES = ("Kosovo",)
"""Names a client's ``country`` may also take: two third-party lists of the API's countries carry
them, but not at a known position of the numbered list ``tax_country`` indexes (see
sandbox/README.md, "Countries")."""


@cache
def countries() -> tuple[str, ...]:
    """The country names the API accepts, in its order (``tax_country`` is 1-based into it)."""
    from importlib import resources  # imported when a country is first checked

    text = resources.files("reconciler").joinpath("data/countries.txt").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@cache
def _country_lookup(for_client: bool) -> dict[str, str]:
    """Maps a case- and apostrophe-insensitive key to the canonical country name."""
    names = (*countries(), *CLIENT_ONLY_COUNTRIES) if for_client else countries()
    return {_country_key(name): name for name in names}


@cache
def _canonical_names(for_client: bool) -> frozenset[str]:
    return frozenset(_country_lookup(for_client).values())


def _country_key(name: str) -> str:
    """Case, accents and apostrophe style don't matter when matching a country name."""
    decomposed = unicodedata.normalize("NFKD", name.replace("’", "'").strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _canonical_country(value: str, for_client: bool = False) -> str:
    if value in _canonical_names(for_client):
        return value
    lookup = _country_lookup(for_client)
    canonical = lookup.get(_country_key(value))
    if canonical is None:
        import difflib  # only to suggest a name for one not found

        close = difflib.get_close_matches(_country_key(value), lookup, n=1, cutoff=0.8)
        hint = (
            f"did you mean '{lookup[close[0]]}'?" if close else "see the list of accepted countries"
        )
        raise ValueError(f"Country {value} was not found ({hint})")
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
    if _client_country(text) in CLIENT_ONLY_COUNTRIES:
        raise ValueError(
            f"{text} can be a client's country but not a tax_country: "
            "its number in the API's list is not known"
        )
    return str(names.index(_canonical_country(text)) + 1)


def _client_country(value: str) -> str:
    return _canonical_country(value, for_client=True)


def _terms(value: object) -> str:
    """The API's error list has "Terms and Conditions must be accepted": only 1 is sent."""
    flag = _flag(value)
    if flag != "1":
        raise ValueError("Terms and Conditions must be accepted (terms: 1)")
    return flag


def _flag(value: object) -> str:
    """``terms`` and ``marketing`` are "1" (accepted) or "0" (not accepted) in the API."""
    value = getattr(value, "value", value)  # an unquoted YAML true/false keeps its native value
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value).strip()
    if text not in {"0", "1"}:
        raise ValueError("must be 1 (accepted) or 0 (not accepted)")
    return text


def _whole_number(value: object) -> int:
    """A whole number written in decimal digits; YAML's other spellings of one are refused.

    ``4_2``, ``+42``, ``42.0``, ``0x2A``, ``052`` or ``١٢`` would read as 42 (or 34) to some
    reader and as text to another, so a file using them means different things to different
    tools: only ``[0-9]+`` without a leading zero is a number here.
    """
    if type(value) is int or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if not isinstance(value, str):
        raise ValueError("expected a whole number in decimal digits")
    if DECIMAL.fullmatch(value):
        return int(value)
    if value.isascii() and value.isdigit() and value[0] != "0":
        raise ValueError(_too_long(value))
    spelled = " in decimal digits (no sign, '_', '.', exponent, leading 0 or 0x)"
    spelled = spelled if any(c.isdigit() for c in value) else ""
    raise ValueError(f"expected a whole number{spelled}, got '{shorten(value)}'")


def _too_long(digits: str) -> str:
    return f"is too large ({len(digits)} digits; at most {MAX_NUMBER_DIGITS})"


WholeNumber = BeforeValidator(_whole_number)

# pydantic checks text natively; a mapping or list given for text is named in its message.
Text = Annotated[str, Field(max_length=10_000)]
Email = Annotated[Text, AfterValidator(checked_email)]


def _client_countries_schema(schema: dict[str, Any]) -> None:
    schema["enum"] = [*countries(), *CLIENT_ONLY_COUNTRIES]


Country = Annotated[
    Text, AfterValidator(_client_country), Field(json_schema_extra=_client_countries_schema)
]
Flag = Annotated[str, BeforeValidator(_flag)]
Terms = Annotated[str, BeforeValidator(_terms)]
Language = Literal["pt", "en", "es"]
Id = Annotated[int, Field(gt=0, lt=2**63), WholeNumber]


SECRET_FIELDS = frozenset({"password", "credentials.password"})
"""The account's fields that hold secrets, as dotted paths: shown only redacted, stored only as
keyed digests, never read back from the API."""


class Model(BaseModel):
    """Base of every desired-state model: unknown keys rejected, values immutable."""

    # Each field's docstring is its description in the JSON Schema (``desired.schema`` reads
    # them; pydantic's use_attribute_docstrings would read this file's source on every import).
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=False, defer_build=True
    )


class Credentials(Model):
    """Tax Authority (AT) credentials; the password is sent Base64-encoded as the API requires."""

    username: Text
    """The AT sub-user: the company's NIF, a slash and the user number, e.g. ``123456789/1``."""
    password: SecretStr
    """The AT sub-user's password, 8 to 14 characters; write ``${AT_PASSWORD}``, never the
    password itself."""
    type: Literal["AT"] | None = None
    """The kind of credentials: ``AT``, the only one."""
    context: Literal["Sequences"] | None = None
    """What the credentials are for: ``Sequences``, the only one (registering series)."""

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
    """The account's id (the ``:account-id`` of the API's account paths)."""
    organization_name: Text | None = None
    """The company's name."""
    first_name: Text | None = None
    """The account owner's first name."""
    last_name: Text | None = None
    """The account owner's last name."""
    phone: Text | None = None
    """The company's phone number."""
    email: Email | None = None
    """The account's email address."""
    password: SecretStr | None = None
    """The account's login password; write ``${VARIABLE}``, never the password itself."""
    fiscal_id: Text | None = None
    """The company's VAT number (NIF); the API refuses to change it once set."""
    # tax_country comes before postal_code: the postal code rule depends on it.
    tax_country: Annotated[str, BeforeValidator(_tax_country)] | None = None
    """The country the company pays taxes in: its name as listed, or its number in that list
    (1 is Portugal, the default)."""
    address: Text | None = None
    """The company's street address."""
    postal_code: Text | None = None
    """The company's postal code; ``DDDD-DDD`` when the tax country is Portugal."""
    city: Text | None = None
    """The company's city."""
    language: Language | None = None
    """The account's language: ``pt``, ``en`` or ``es``."""
    terms: Terms | None = None
    """The terms of service, accepted: ``1``/``true`` (the API refuses ``0``)."""
    marketing: Flag | None = None
    """Whether marketing messages are accepted: ``1``/``true`` or ``0``/``false``."""
    credentials: Credentials | None = None
    """The Tax Authority (AT) credentials used to register series."""

    @property
    def is_portuguese(self) -> bool:
        """Undeclared ``tax_country`` counts as Portugal, the API's first and default option."""
        return self.tax_country in (None, PORTUGAL)

    @field_validator("postal_code")
    @classmethod
    def _postal_code_format(cls, value: str | None, info: ValidationInfo) -> str | None:
        if "tax_country" not in info.data:  # itself a problem: it can't say which country
            return value
        portuguese = info.data["tax_country"] in (None, PORTUGAL)
        if value is not None and portuguese and not PT_POSTAL_CODE.fullmatch(value):
            raise ValueError("Postal Code must have the following format DDDD-DDD")
        return value


class PreferredContact(Model):
    """The client's preferred contact."""

    name: Text | None = None
    """The contact's name."""
    email: Email | None = None
    """The contact's email address."""
    phone: Text | None = None
    """The contact's phone number."""


class Client(Model):
    """A client, as in ``PUT /clients/:client-id.json``. ``name`` and ``code`` are required.

    Without ``id`` the client is found by its ``code`` on the live account (and created when
    that is allowed); the id found is recorded in the known state.
    """

    id: Id | None = None
    """The client's id on the account; left out, the client is found by ``code``."""
    code: Annotated[Text, Field(min_length=1)]
    """The client's code, unique on the account."""
    name: Annotated[Text, Field(min_length=1)]
    """The client's name, unique on the account."""
    email: Email | None = None
    """The client's email address, where documents are sent."""
    language: Language | None = None
    """The language of the client's documents: ``pt``, ``en`` or ``es``."""
    address: Text | None = None
    """The client's street address."""
    city: Text | None = None
    """The client's city."""
    postal_code: Text | None = None
    """The client's postal code."""
    country: Country | None = None
    """The client's country, written as the API lists it (reconciler also accepts another case,
    missing accents or a straight apostrophe; an editor flags those)."""
    fiscal_id: Text | None = None
    """The client's VAT number."""
    website: Text | None = None
    """The client's website."""
    phone: Text | None = None
    """The client's phone number."""
    fax: Text | None = None
    """The client's fax number."""
    preferred_contact: PreferredContact | None = None
    """The person to contact at the client."""
    observations: Text | None = None
    """Notes about the client."""
    # The bounds come first so that they are JSON Schema's minimum and maximum.
    send_options: Annotated[int, Field(ge=1, le=3), WholeNumber] | None = None
    """Which documents are sent by email: 1 the original, 2 the original and the duplicate,
    3 the original, the duplicate and the triplicate."""


def _sequence_ref(value: Any) -> Any:
    """An unquoted number is a sequence id; quoted text names a serie (e.g. ``"2025"``)."""
    if isinstance(value, LongNumber):  # unquoted: an id, too long to be one
        raise ValueError(_too_long(value))
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
    """The sequence made the default: its id (a number) or its serie (quoted text)."""
    # ``register`` would shadow ``BaseModel.register`` (from ABCMeta), hence the alias.
    to_register: tuple[SequenceRef, ...] = Field(default=(), alias="register")
    """Sequences to register with the Tax Authority, once each: ids or quoted series."""

    @field_validator("to_register")
    @classmethod
    def _no_repeats(cls, value: tuple[int | str, ...]) -> tuple[int | str, ...]:
        repeated = sorted({v for v in value if value.count(v) > 1}, key=str)
        if repeated:
            raise ValueError(f"sequence {repeated[0]} is listed more than once")
        return value


_DECIMAL_TEXT = re.compile(r"[0-9]+(?:\.[0-9]+)?")
"""A decimal as the file may write it: ASCII digits, one optional point, no sign or exponent."""


def decimal_text(places: int, highest: int | None = None) -> Callable[[Any], str]:
    """A reader of a decimal (a tax's rate, a price) as the API's text with ``places``
    decimals (``23`` → ``"23.0"``): never a float, so the value is kept exactly."""

    def read(value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError("expected a decimal number, such as 23.0")
        text = str(value).strip()
        if not text.isascii() or not _DECIMAL_TEXT.fullmatch(text):
            raise ValueError(
                f"expected a decimal number (digits and a point), got '{shorten(text)}'"
            )
        number = Decimal(text)
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            unit = "place" if places == 1 else "places"
            raise ValueError(
                f"{text} has too many decimals: the API takes at most {places} decimal {unit}"
            )
        if highest is not None and number > highest:
            raise ValueError(f"{text} is more than {highest}")
        return f"{number:.{places}f}"

    return read


def _decimal_schema(highest: int | None) -> Callable[[dict[str, Any]], None]:
    def schema(generated: dict[str, Any]) -> None:
        number: dict[str, Any] = {"type": "number", "minimum": 0}
        if highest is not None:
            number["maximum"] = highest
        text = {"type": "string", "pattern": f"^{_DECIMAL_TEXT.pattern}$"}
        generated.clear()
        generated["anyOf"] = [number, text]

    return schema


TaxRate = Annotated[
    str,
    BeforeValidator(decimal_text(1, 100)),
    Field(json_schema_extra=_decimal_schema(100)),
]
"""A tax's rate, 0 to 100 with at most one decimal, kept as the API's text (``"23.0"``)."""
Price = Annotated[
    str, BeforeValidator(decimal_text(2)), Field(json_schema_extra=_decimal_schema(None))
]
"""A price, at least 0 with at most two decimals, kept as the API's text (``"60.00"``)."""


def _default_flag(value: object) -> int:
    """``default_tax``: 1 (or ``true``) makes the tax the default; 0 (or ``false``) does not."""
    native = getattr(value, "value", value)
    if isinstance(native, bool):
        return int(native)
    text = str(value).strip()
    if text not in {"0", "1"}:
        raise ValueError("must be 1 (the default tax) or 0")
    return int(text)


def _flag_schema(generated: dict[str, Any]) -> None:
    generated.clear()
    generated["enum"] = [0, 1, True, False]


class Tax(Model):
    """A tax (a VAT rate), as in ``PUT /taxes/:tax-id.json``. ``name`` is required.

    Without ``id`` the tax is found by its ``name`` on the live account (and created when that
    is allowed); the id found is recorded in the known state.
    """

    id: Id | None = None
    """The tax's id on the account; left out, the tax is found by ``name``."""
    name: Annotated[Text, Field(min_length=1)]
    """The tax's name, unique on the account (``IVA23``)."""
    value: TaxRate | None = None
    """The rate in percent, 0 to 100 with at most one decimal (``23.0``); kept exactly."""
    region: Literal["PT", "PT-AC", "PT-MA", "Desconhecido"] | None = None
    """Where the rate applies: ``PT`` (the mainland), ``PT-AC`` (the Azores), ``PT-MA``
    (Madeira) or ``Desconhecido``."""
    code: Literal["NOR", "INT", "RED", "OUT", "ISE"] | None = None
    """The SAF-T rate code: ``NOR`` normal, ``INT`` intermediate, ``RED`` reduced, ``OUT``
    other, ``ISE`` exempt."""
    default_tax: (
        Annotated[int, BeforeValidator(_default_flag), Field(json_schema_extra=_flag_schema)] | None
    ) = None
    """1 makes this the account's one default tax (items without a tax get it); at most one
    tax of the file may say 1."""


class Item(Model):
    """An item (a product or service of the catalogue), as in ``PUT /items/:item-id.json``.
    ``name`` is required.

    Without ``id`` the item is found by its ``name`` on the live account (and created when
    that is allowed); the id found is recorded in the known state.
    """

    id: Id | None = None
    """The item's id on the account; left out, the item is found by ``name``."""
    name: Annotated[Text, Field(min_length=1)]
    """The item's name, unique on the account."""
    description: Text | None = None
    """What the item is, as documents show it."""
    unit_price: Price | None = None
    """The price of one unit, at least 0 with at most two decimals (``60.00``); kept exactly."""
    unit: Literal["service", "unit", "hour", "day", "month", "other"] | None = None
    """What one unit is: ``service``, ``unit``, ``hour``, ``day``, ``month`` or ``other``."""
    tax: Annotated[Text, Field(min_length=1)] | None = None
    """The item's tax, by name: one of the file's ``taxes`` or a tax of the live account."""


def _boolean(value: Any) -> Any:
    native = getattr(value, "value", value)  # an unquoted YAML true/false keeps its native value
    if isinstance(native, bool):
        return native
    raise ValueError("must be true or false")


class Options(Model):
    """How the file is applied, beyond what it declares."""

    create_missing_clients: Annotated[bool, BeforeValidator(_boolean)] = False
    """Whether a client whose code is not on the account is created (``true``) or is an
    error (``false``, the default; ``--create-missing`` turns it on for one run)."""
    create_missing_series: Annotated[bool, BeforeValidator(_boolean)] = False
    """Whether a serie named in ``sequences`` that the account lacks is created (``true``),
    then registered and made the default as declared, or is an error (``false``, the default;
    ``--create-missing`` turns it on for one run)."""
    create_missing_taxes: Annotated[bool, BeforeValidator(_boolean)] = False
    """Whether a tax whose name is not on the account is created (``true``) or is an error
    (``false``, the default; ``--create-missing`` turns it on for one run)."""
    create_missing_items: Annotated[bool, BeforeValidator(_boolean)] = False
    """Whether an item whose name is not on the account is created (``true``) or is an error
    (``false``, the default; ``--create-missing`` turns it on for one run)."""


class DesiredState(Model):
    """The whole desired-state file."""

    options: Options | None = None
    """How the file is applied."""
    account: Account | None = None
    """The account's details; left out, they are not managed."""
    sequences: Sequences | None = None
    """The default sequence and the sequences registered with the Tax Authority."""
    clients: tuple[Client, ...] = ()
    """The clients managed; clients not listed are left as they are."""
    taxes: tuple[Tax, ...] = ()
    """The taxes managed, by name; taxes not listed are left as they are."""
    items: tuple[Item, ...] = ()
    """The items (products and services) managed, by name; items not listed are left as they
    are."""


class FiscalId(NamedTuple):
    """A fiscal id declared at ``path``, and whether it is Portuguese (``None``: the field
    saying so is itself a problem). A tuple: a file may declare 100,000 of them."""

    path: tuple[str | int, ...]
    value: str | None
    portuguese: bool | None


def client_in_portugal(country: str | None, portuguese_account: bool | None) -> bool | None:
    """A client is in Portugal when its ``country`` says so, or, left unset, when the account
    is Portuguese."""
    return portuguese_account if country is None else country == PORTUGAL_NAME


def fiscal_id_problems(
    fiscal_ids: Iterable[FiscalId],
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Portuguese fiscal ids (NIF) whose check digit is wrong, as python-stdnum judges them
    (``desired.nif``), as (path, message): the account's when it is Portuguese, and each
    client's whose ``country`` is Portugal, or unset on a Portuguese account. An empty value
    (clearing the field) is not checked."""
    message = "{} is not a valid Portuguese NIF (its check digit is wrong)"
    for path, value, portuguese in fiscal_ids:
        if portuguese and value and not valid_nif(value):
            yield path, message.format(value)
