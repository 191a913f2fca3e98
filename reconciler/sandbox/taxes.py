"""Tax records: validation of a tax body, the one default tax, and how a tax is shown.

A stored tax is ``{"id", "name", "value", "region", "code", "default_tax"}``: ``value`` is the
rate as text with one decimal (``"23.0"``), so it is kept exactly; ``code`` is the SAF-T rate
code or ``None``; ``default_tax`` is 1 for exactly one tax of a data set that has taxes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.sandbox.fields import decimal_of, flag, is_blank, places, unknown_fields
from reconciler.sandbox.quirks import Quirks
from reconciler.sandbox.validation import Checked
from reconciler.sandbox.views import shown_number

FIELDS = ("name", "value", "region", "code", "default_tax")
# Mainland, the Azores, Madeira, and "unknown": the regions two clients of the API name
# (filipetoscano ``TaxRegion.cs``; square-bit ``TaxRegionEnum.php``, which adds Desconhecido).
REGIONS = ("PT", "PT-AC", "PT-MA", "Desconhecido")
# SAF-T rate codes: normal, intermediate, reduced, other, exempt (square-bit ``TaxCodeEnum``).
CODES = ("NOR", "INT", "RED", "OUT", "ISE")
VALUE_PLACES = 1

Taken = Callable[[str], bool]
"""``taken(name)``: whether another tax has this name."""


def new_tax(
    tax_id: int, name: str, value: str, region: str = "PT", *, code: str | None = None
) -> dict[str, Any]:
    """A stored tax record, not the default."""
    return {
        "id": tax_id,
        "name": name,
        "value": value,
        "region": region,
        "code": code,
        "default_tax": 0,
    }


def check_tax(tax: dict[str, Any] | None, given: dict[str, Any], taken: Taken) -> Checked:
    """A tax body for create (``tax`` ``None``: name, value and region required) or update
    (absent keys keep their values)."""
    out = Checked(errors=unknown_fields(given, FIELDS))
    creating = tax is None
    _check_name(given, creating, taken, out)
    _check_value(given, creating, out)
    if "region" in given or creating:
        region = given.get("region")
        if is_blank(region):
            out.errors.append("Region can't be blank")
        elif region not in REGIONS:
            out.errors.append("Region is not included in the list")
        else:
            out.changes["region"] = region
    if "code" in given:
        if given["code"] is None or given["code"] in CODES:
            out.changes["code"] = given["code"]
        else:
            out.errors.append("Code is not included in the list")
    if "default_tax" in given:
        default = flag(given["default_tax"])
        if default is None:
            out.errors.append("Default tax is not included in the list")
        elif default == 0 and tax is not None and tax.get("default_tax") == 1:
            # An account always has a default tax: items without one get it.
            out.errors.append("Default tax can't be unset: make another tax the default")
        else:
            out.changes["default_tax"] = default
    return out


def _check_name(given: dict[str, Any], creating: bool, taken: Taken, out: Checked) -> None:
    if "name" not in given and not creating:
        return
    name = given.get("name")
    if is_blank(name) or not isinstance(name, str):
        out.errors.append("Name can't be blank" if is_blank(name) else "Name is invalid")
    elif taken(name):
        out.errors.append("Name has already been taken")
    else:
        out.changes["name"] = name


def _check_value(given: dict[str, Any], creating: bool, out: Checked) -> None:
    if "value" not in given and not creating:
        return
    raw = given.get("value")
    number = decimal_of(raw)
    if is_blank(raw):
        out.errors.append("Value can't be blank")
    elif number is None:
        out.errors.append("Value is not a number")
    elif number < 0:
        out.errors.append("Value must be greater than or equal to 0")
    elif number > 100:
        out.errors.append("Value must be less than or equal to 100")
    elif places(number) > VALUE_PLACES:
        out.errors.append(f"Value must have at most {VALUE_PLACES} decimal place")
    else:
        out.changes["value"] = f"{number:.{VALUE_PLACES}f}"


def apply_default(taxes: list[dict[str, Any]], chosen: dict[str, Any]) -> None:
    """Make ``chosen`` the one default tax."""
    for tax in taxes:
        tax["default_tax"] = 1 if tax is chosen else 0


def default_tax(taxes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The account's default tax, if it has taxes."""
    return next((tax for tax in taxes if tax.get("default_tax") == 1), None)


def tax_view(tax: dict[str, Any], quirks: Quirks | None = None) -> dict[str, Any]:
    """The tax as the taxes endpoints show it: ``value`` a number (``23.0``), or its text with
    ``Quirks.text_tax_values``; ``default_tax`` 1 or 0; ``code`` ``null`` when unset."""
    text = quirks is not None and quirks.text_tax_values
    return {
        "id": shown_number(tax["id"], quirks),
        "name": tax["name"],
        "value": str(tax["value"]) if text else float(tax["value"]),
        "region": tax.get("region"),
        "code": tax.get("code"),
        "default_tax": int(tax.get("default_tax", 0)),
    }
