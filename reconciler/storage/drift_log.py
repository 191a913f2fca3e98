"""The drift log: one JSON line per drifted resource found by a refresh, beside the known state.

Never a secret: secrets are not compared, so no drift carries one.
"""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.clock import now
from reconciler.core.live_fold import Refreshed
from reconciler.storage.files import append_durably


def drift_log_path(state_path: Path) -> Path:
    """Where the drift found by each refresh is kept: beside the known-state file."""
    return state_path.with_name(state_path.name + ".drift.jsonl")


def log_drift(state_path: Path, refreshed: Refreshed) -> None:
    """Append one JSON line per drifted resource, fsynced."""
    if not refreshed.drift:
        return
    when = now()
    lines = []
    for drift in refreshed.drift:
        entry = {
            "at": when,
            "resource": drift.resource,
            "gone": drift.gone,
            "changes": [
                {"field": c.path, "applied": c.before, "live": c.after} for c in drift.changes
            ],
        }
        lines.append(json.dumps(entry, ensure_ascii=False) + "\n")
    append_durably(drift_log_path(state_path), "".join(lines))
