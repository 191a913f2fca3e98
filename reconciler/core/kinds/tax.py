"""Taxes: ``tax:<id>``, updated with ``PUT /taxes/:id.json``; a tax the file names that the
account lacks is created with ``POST /taxes.json`` when that is allowed (``new-tax:<name>``).
Read with the one, unpaginated, ``GET /taxes.json``. A rate is decimal text with one decimal
(``"23.0"``) in the file, the diff and the request body, never a float.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.core.kinds.base import Reading
from reconciler.core.kinds.named import ByName, decimal_text

RATE_PLACES = 1
"""The API takes a rate with at most one decimal."""


class TaxKind(ByName):
    name = "tax"
    noun = "taxes"
    slot = "taxes"
    creation_option = "create_missing_taxes"
    phase = 5
    create_phase = 6
    required_to_create = ("value", "region")
    decimals = frozenset({"value"})
    update_path = "/taxes/{id}.json"
    reading = Reading(
        "list",
        "taxes",
        item_key="tax",
        one="/taxes/{id}.json",
        listing="/taxes.json",
        list_key="taxes",
        named_by="name",
    )

    def normalised(self, view: Mapping[str, Any]) -> Mapping[str, Any]:
        """The rate as the file's text, ``default_tax`` as 0 or 1."""
        shown = dict(view)
        if "value" in shown:
            shown["value"] = decimal_text(shown["value"], RATE_PLACES)
        if "default_tax" in shown and str(shown["default_tax"]).strip() in ("0", "1"):
            shown["default_tax"] = int(str(shown["default_tax"]).strip())
        return shown

    def live_view(self, live: Any, identifier: int) -> Mapping[str, Any] | None:
        """The tax with this id in the list that was read (None: not there)."""
        found = live.of(self.reading.slot) if self.reading else None
        for view in found or ():
            if isinstance(view, Mapping) and str(view.get("id", "")).strip() == str(identifier):
                return view
        return None

    def wanted(self, state: Any) -> tuple[int, ...] | None:
        return () if any(i is not None for _, _, i in self.declared(state)) else None


KIND = TaxKind()
