"""Items (the catalogue): ``item:<id>``, updated with ``PUT /items/:id.json``; an item the file
names that the account lacks is created with ``POST /items.json`` when that is allowed
(``new-item:<name>``). Read from the paginated ``GET /items.json``, as clients are. A price
is decimal text with two decimals (``"60.00"``) in the file, the diff and the request body,
never a float; ``tax`` names a tax (of the file or the live account), sent as
``{"name": ...}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from reconciler.core.kinds.base import Reading
from reconciler.core.kinds.named import ByName, decimal_text

PRICE_PLACES = 2
"""The API takes a price with at most two decimals."""


class ItemKind(ByName):
    name = "item"
    noun = "items"
    slot = "items"
    creation_option = "create_missing_items"
    phase = 7
    create_phase = 8
    required_to_create = ("description", "unit_price", "unit")
    decimals = frozenset({"unit_price"})
    update_path = "/items/{id}.json"
    reading = Reading(
        "each",
        "items",
        item_key="item",
        one="/items/{id}.json",
        listing="/items.json",
        list_key="items",
        paginated=True,
        named_by="name",
    )
    refers = MappingProxyType({"tax": "tax"})
    """Fields naming a resource of another kind, by that kind's name."""

    def body(self, fields: dict[str, Any]) -> Mapping[str, Any]:
        """Every declared field; the tax as ``{"name": ...}``."""
        if "tax" in fields:
            fields["tax"] = {"name": fields["tax"]}
        return {"item": fields}

    def normalised(self, view: Mapping[str, Any]) -> Mapping[str, Any]:
        """The price as the file's text, the tax by its name."""
        shown = dict(view)
        if "unit_price" in shown:
            shown["unit_price"] = decimal_text(shown["unit_price"], PRICE_PLACES)
        tax = shown.get("tax")
        if isinstance(tax, Mapping):
            shown["tax"] = tax.get("name")
        return shown


KIND = ItemKind()
