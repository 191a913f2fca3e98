"""Machine-readable output: the plan document (``core.plan_document``), the fleet document and
the documents of apply, refresh and validate (``render.run_documents``) as JSON text."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reconciler.core.fleet_document import (
    FLEET_FORMAT_VERSION,
    FleetCounts,
    FleetEntry,
    account_document,
    fleet_document,
)
from reconciler.core.plan import Plan
from reconciler.core.plan_document import plan_document
from reconciler.render.escape import json_text


def render_json(plan: Plan) -> str:
    """The plan document as indented JSON text, ending in a newline."""
    return render_document(plan_document(plan))


def render_fleet_json(entries: Sequence[FleetEntry]) -> str:
    """The fleet document as indented JSON text, ending in a newline."""
    return render_document(fleet_document(entries))


def render_document(document: dict[str, Any]) -> str:
    """Any of the documents as indented JSON text, ending in a newline; nothing in it a
    terminal would act on (``json_text``)."""
    return json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


class FleetJson:
    """The fleet document built as accounts end: each account's object is turned into its
    JSON text at once, so nothing of its plan is kept; ``text`` gives the same text as
    ``render_fleet_json`` over the accounts in the order of their keys."""

    def __init__(self) -> None:
        self._parts: list[tuple[tuple[int, str], str]] = []
        self._counts = FleetCounts()

    def add(self, key: tuple[int, str], entry: FleetEntry) -> None:
        """One finished account, placed by ``key`` (its position, then its name)."""
        self._counts.add(entry)
        text = json.dumps(account_document(entry), indent=2, ensure_ascii=False)
        self._parts.append((key, text.replace("\n", "\n    ")))

    def text(self) -> str:
        """The whole document, as ``render_fleet_json`` writes it."""
        parts = [text for _, text in sorted(self._parts, key=lambda part: part[0])]
        accounts = "[\n    " + ",\n    ".join(parts) + "\n  ]" if parts else "[]"
        summary = json.dumps(self._counts.summary(), indent=2).replace("\n", "\n  ")
        document = (
            f'{{\n  "fleet_format_version": {FLEET_FORMAT_VERSION},\n  "accounts": {accounts},'
            f'\n  "summary": {summary}\n}}'
        )
        return json_text(document) + "\n"
