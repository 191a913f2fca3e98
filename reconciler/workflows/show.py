"""``reconciler show``: a saved plan read back, and whether its inputs still match it.

Freshness is judged from the files alone, never the API: the desired file's bytes and the
known state's lineage and serial against the plan's binding. ``apply`` re-plans as well, so a
plan fresh here can still be refused there (an environment variable or secret changed).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from reconciler.core.plan import Plan
from reconciler.core.plan_reading import plan_from_document
from reconciler.storage.saved_plans import SavedPlan, file_sha256, load_plan
from reconciler.workflows.backend_choice import known_state_where
from reconciler.workflows.repository import check_desired_path
from reconciler.workflows.saved_backend import bound_target
from reconciler.workflows.target import Target


@dataclass(frozen=True)
class Shown:
    """A saved plan, the plan it holds, why it is stale (empty when it is fresh), and where
    its known state is (the file, or the database with its password hidden)."""

    saved: SavedPlan
    plan: Plan
    stale: tuple[str, ...]
    state_where: str = ""


def show_saved_plan(path: Path, target: Target) -> Shown:
    """Read the saved plan at ``path`` and judge its freshness against the known state it
    records; ``target`` gives only the settings file and a database URL given now (the plan
    names its own files)."""
    saved = load_plan(path)
    target = bound_target(saved, target)
    plan = plan_from_document(saved.document, where=str(path))
    return Shown(saved, plan, tuple(_stale_reasons(saved, target)), known_state_where(target))


def _stale_reasons(saved: SavedPlan, target: Target) -> list[str]:
    bound, reasons = saved.binding, []
    # A file that is gone makes the plan stale; one that ``apply`` would not read (a symlink
    # leading out of its folder, a FIFO, a device, a directory, too large) is refused alike.
    if not os.path.lexists(target.file):
        reasons.append(f"{target.file} no longer exists")
    else:
        check_desired_path(target.file)
        if file_sha256(target.file) != bound.desired_sha256:
            reasons.append(f"{target.file} changed since the plan was saved")
    store = target.store()
    now: tuple[str | None, int]
    if store.exists():
        known = store.load()
        now = (known.lineage, known.serial)
    else:
        now = (None, 0)
    if now != (bound.lineage, bound.serial):
        reasons.append(
            "the known state changed since the plan was saved "
            f"({_state(bound.lineage, bound.serial)} then, {_state(*now)} now)"
        )
    return reasons


def _state(lineage: str | None, serial: int) -> str:
    return "no known state" if lineage is None else f"lineage {lineage}, serial {serial}"
