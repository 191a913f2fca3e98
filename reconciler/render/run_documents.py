"""What ``apply``, ``refresh`` and ``validate`` found, as plain JSON-ready documents.

Each is described by a JSON Schema in ``schema/`` (``apply``, ``refresh``, ``validate``) and
carries ``format_version`` (bumped on incompatible changes) and ``kind``. Every secret and
digest is shown as ``(sensitive)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.core.live_fold import Refreshed
from reconciler.core.report import ApplyReport, Status
from reconciler.core.secrets import redacted
from reconciler.core.verification import Verification
from reconciler.errors import Problem

FORMAT_VERSION = 1


def apply_document(report: ApplyReport, verification: Verification | None) -> dict[str, Any]:
    """Every call's outcome, the records dropped, the read-back (if any), and the counts."""
    counts = {status: len(report.with_status(status)) for status in Status}
    return {
        "format_version": FORMAT_VERSION,
        "kind": "apply",
        "outcomes": [
            {
                "resource": outcome.call.resource,
                "action": str(outcome.call.action),
                "method": outcome.call.method,
                "path": outcome.call.path,
                "status": str(outcome.status),
                "detail": outcome.detail,
            }
            for outcome in report.outcomes
        ],
        "forgotten": list(report.forgotten),
        "verification": None if verification is None else _verification(verification),
        "summary": {
            "ok": report.ok and (verification is None or verification.ok),
            "calls": len(report.outcomes),
            "succeeded": counts[Status.SUCCEEDED],
            "failed": counts[Status.FAILED],
            "skipped": counts[Status.SKIPPED],
            "not_attempted": counts[Status.NOT_ATTEMPTED],
            "forgotten": len(report.forgotten),
        },
    }


def _verification(verification: Verification) -> dict[str, Any]:
    return {
        "checked": verification.checked,
        "not_converged": [
            {
                "resource": item.call.resource,
                "field": item.field,
                "sent": redacted(item.sent),
                "live": redacted(item.live),
            }
            for item in verification.not_converged
        ],
    }


def refresh_document(refreshed: Refreshed) -> dict[str, Any]:
    """Drift (last applied → live) per resource, what was recorded, what could not be read."""
    return {
        "format_version": FORMAT_VERSION,
        "kind": "refresh",
        "drift": [
            {
                "resource": drift.resource,
                "gone": drift.gone,
                "changes": [
                    {
                        "path": change.path,
                        "applied": redacted(change.before),
                        "live": redacted(change.after),
                    }
                    for change in drift.changes
                ],
            }
            for drift in refreshed.drift
        ],
        "recorded": list(refreshed.recorded),
        "unchecked_secrets": list(refreshed.unchecked_secrets),
        "unreadable": list(refreshed.unreadable),
        "summary": {
            "read": refreshed.read,
            "drifted": len(refreshed.drift),
            "recorded": len(refreshed.recorded),
        },
    }


@dataclass(frozen=True)
class Checked:
    """One desired-state file checked by ``validate``: its problems, what it declares when it
    loaded (account, clients, sequences to register), and whether unset variables were let
    pass (``--allow-unset-env``)."""

    path: str
    problems: tuple[Problem, ...] = ()
    declares: tuple[bool, int, int] | None = None
    unset_env: bool = False


def validate_document(checked: Sequence[Checked]) -> dict[str, Any]:
    """Each file's verdict and every problem, with ``file:line:col`` and the field path."""
    problems = sorted(problem for item in checked for problem in item.problems)
    return {
        "format_version": FORMAT_VERSION,
        "kind": "validate",
        "valid": not problems,
        "files": [
            {
                "path": item.path,
                "valid": not item.problems,
                "unset_env": item.unset_env,
                "declares": None
                if item.declares is None
                else {
                    "account": item.declares[0],
                    "clients": item.declares[1],
                    "sequences_to_register": item.declares[2],
                },
            }
            for item in checked
        ],
        "problems": [
            {
                "file": problem.file,
                "line": problem.line,
                "column": problem.column,
                "path": problem.path,
                "message": problem.message,
            }
            for problem in problems
        ],
    }
