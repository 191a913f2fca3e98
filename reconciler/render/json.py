"""Machine-readable output: the plan document (``core.plan_document``), the fleet document and
the documents of apply, refresh and validate (``core.run_documents``) as JSON text."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reconciler.core.fleet_document import FleetEntry, fleet_document
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
