"""The plan as a plain JSON-ready document, described by ``schema/plan.schema.json``.

Every secret (in a request body or a field change) is shown as ``(sensitive)``; the API key is
never part of a call. The document is a pure function of the plan: ``render.json`` prints it
and saved plans store it.
"""

from __future__ import annotations

from typing import Any

from reconciler.core.diff import FieldChange
from reconciler.core.plan import Call, Plan
from reconciler.core.secrets import REDACTED, redacted

FORMAT_VERSION = 1
UNMANAGED = "no longer declared: its record is dropped; nothing is deleted on the account"


def change_document(change: FieldChange) -> dict[str, Any]:
    """One field change; a sensitive one carries no value at all."""
    if change.sensitive:
        return {"path": change.path, "before": REDACTED, "after": REDACTED, "sensitive": True}
    return {
        "path": change.path,
        "before": redacted(change.before),
        "after": redacted(change.after),
        "sensitive": False,
    }


def call_document(call: Call) -> dict[str, Any]:
    """One call: the request (body redacted), what it concerns, why, what it changes, and where
    it was declared (``source``, left out when unknown)."""
    document = {
        "method": call.method,
        "path": call.path,
        "body": redacted(call.body) if call.body is not None else None,
        "resource": call.resource,
        "action": str(call.action),
        "target_id": call.target_id,
        "reason": call.reason,
        "depends_on": list(call.depends_on),
        "changes": [change_document(change) for change in call.changes],
    }
    if call.source is not None:
        document["source"] = {
            "file": call.source.file,
            "line": call.source.line,
            "column": call.source.column,
        }
    return document


def plan_document(plan: Plan) -> dict[str, Any]:
    """The whole plan as plain JSON-ready data."""
    return {
        "format_version": FORMAT_VERSION,
        "known_state": {"lineage": plan.lineage, "serial": plan.serial},
        "calls": [call_document(call) for call in plan.calls],
        "in_sync": [{"resource": item.resource, "why": item.why} for item in plan.in_sync],
        "unmanaged": [
            {"resource": resource, "action": "forget", "note": UNMANAGED}
            for resource in plan.unmanaged
        ],
        "summary": {
            "changes_pending": not plan.is_empty,
            "calls": len(plan.calls),
            "by_action": {str(action): n for action, n in plan.counts().items()},
            "in_sync": len(plan.in_sync),
            "unmanaged": len(plan.unmanaged),
        },
    }
