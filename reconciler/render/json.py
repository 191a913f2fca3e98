"""The machine-readable plan: the plan document (``core.plan_document``) as JSON text."""

from __future__ import annotations

import json
from collections.abc import Sequence

from reconciler.core.fleet_document import FleetEntry, fleet_document
from reconciler.core.plan import Plan
from reconciler.core.plan_document import plan_document


def render_json(plan: Plan) -> str:
    """The plan document as indented JSON text, ending in a newline."""
    return json.dumps(plan_document(plan), indent=2, ensure_ascii=False) + "\n"


def render_fleet_json(entries: Sequence[FleetEntry]) -> str:
    """The fleet document as indented JSON text, ending in a newline."""
    return json.dumps(fleet_document(entries), indent=2, ensure_ascii=False) + "\n"
