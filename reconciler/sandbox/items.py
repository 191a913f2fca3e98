"""Item records (the account's catalogue): validation of an item body, and how one is shown.

A stored item is ``{"id", "name", "description", "unit_price", "unit", "tax_id"}``:
``unit_price`` is text with two decimals (``"9.99"``), kept exactly; ``tax_id`` is the id of
one of the account's taxes, or ``None`` (no tax), so renaming a tax renames it on its items.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.sandbox.fields import decimal_of, is_blank, places, unknown_fields
from reconciler.sandbox.quirks import Quirks
from reconciler.sandbox.taxes import default_tax
from reconciler.sandbox.validation import Checked
from reconciler.sandbox.views import shown_number

FIELDS = ("name", "description", "unit_price", "unit", "tax")
# The units two clients of the API list (filipetoscano ``ItemUnitType.cs``, square-bit
# ``ItemUnitEnum.php``); the v1 docs refuse others with "Unit kg is not included in ...".
UNITS = ("service", "unit", "hour", "day", "month", "other")
PRICE_PLACES = 2

Taken = Callable[[str], bool]
"""``taken(name)``: whether another item has this name."""


def new_item(
    item_id: int, name: str, description: str, unit_price: str, unit: str, tax_id: int | None
) -> dict[str, Any]:
    """A stored item record."""
    return {
        "id": item_id,
        "name": name,
        "description": description,
        "unit_price": unit_price,
        "unit": unit,
        "tax_id": tax_id,
    }


def check_item(
    item: dict[str, Any] | None,
    given: dict[str, Any],
    taxes: list[dict[str, Any]],
    taken: Taken,
    quirks: Quirks,
) -> Checked:
    """An item body for create (``item`` ``None``: every field but ``tax`` required; no ``tax``
    means the default tax) or update (absent keys keep their values)."""
    out = Checked(errors=unknown_fields(given, FIELDS))
    creating = item is None
    for key, label in (("name", "Name"), ("description", "Description")):
        if key in given or creating:
            value = given.get(key)
            if is_blank(value) or not isinstance(value, str):
                out.errors.append(
                    f"{label} can't be blank" if is_blank(value) else f"{label} is invalid"
                )
            else:
                out.changes[key] = value
    name = out.changes.get("name")
    if name is not None and taken(name):
        out.errors.append("Name has already been taken")
    if "unit_price" in given or creating:
        _check_price(given.get("unit_price"), out)
    if "unit" in given or creating:
        unit = given.get("unit")
        if unit in UNITS:
            out.changes["unit"] = unit
        else:
            shown = (
                unit if isinstance(unit, str | int | float) and not isinstance(unit, bool) else ""
            )
            # The v1 docs' wording, blank unit included: "Unit  is not included in ...".
            out.errors.append(f"Unit {shown} is not included in the list of accepted units")
    if "tax" in given:
        _check_tax(given["tax"], taxes, quirks, out)
    elif creating:
        default = default_tax(taxes)
        out.changes["tax_id"] = default["id"] if default else None
    return out


def _check_price(raw: Any, out: Checked) -> None:
    number = decimal_of(raw)
    if is_blank(raw):
        out.errors.append("Unit price can't be blank")
    elif number is None:
        out.errors.append("Unit price is not a number")
    elif number < 0:
        out.errors.append("Unit price must be greater than or equal to 0")
    elif places(number) > PRICE_PLACES:
        out.errors.append(f"Unit price must have at most {PRICE_PLACES} decimal places")
    else:
        out.changes["unit_price"] = f"{number:.{PRICE_PLACES}f}"


def _check_tax(given: Any, taxes: list[dict[str, Any]], quirks: Quirks, out: Checked) -> None:
    """``tax`` is ``{"name": <a tax of the account>}``; an unknown name is refused, or (quirk)
    replaced by the default tax or by none, as the two versions of the v1 docs say."""
    if not isinstance(given, dict) or set(given) != {"name"} or not isinstance(given["name"], str):
        out.errors.append("Tax is invalid")
        return
    tax = next((t for t in taxes if t.get("name") == given["name"]), None)
    if tax is not None:
        out.changes["tax_id"] = tax["id"]
    elif quirks.unknown_tax == "default":
        default = default_tax(taxes)
        out.changes["tax_id"] = default["id"] if default else None
    elif quirks.unknown_tax == "none":
        out.changes["tax_id"] = None
    else:
        out.errors.append(f"Tax {given['name']} was not found")


def item_view(
    item: dict[str, Any], taxes: list[dict[str, Any]], quirks: Quirks | None = None
) -> dict[str, Any]:
    """The item as the items endpoints show it: ``unit_price`` a number, ``tax`` its name and
    rate (``{"name": "IVA23", "value": 23.0}``) or ``null``."""
    tax = next((t for t in taxes if t.get("id") == item.get("tax_id")), None)
    return {
        "id": shown_number(item["id"], quirks),
        "name": item["name"],
        "description": item.get("description", ""),
        "unit_price": float(item["unit_price"]),
        "unit": item.get("unit"),
        "tax": {"name": tax["name"], "value": float(tax["value"])} if tax else None,
    }
