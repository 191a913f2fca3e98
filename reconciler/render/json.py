"""The machine-readable plan: the plan document (``core.plan_document``) as JSON text."""

from __future__ import annotations

import json

from reconciler.core.plan import Plan
from reconciler.core.plan_document import plan_document


def render_json(plan: Plan) -> str:
    """The plan document as indented JSON text, ending in a newline."""
    return json.dumps(plan_document(plan), indent=2, ensure_ascii=False) + "\n"
