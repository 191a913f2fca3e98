"""Planning as the commands use it: a session limited to targets, and saved plans."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.workflows.session import Inputs, Reading, Session, open_session
from reconciler.workflows.target import Target

if TYPE_CHECKING:  # saved plans are imported where one is saved or read
    from reconciler.storage.saved_plans import Binding


@dataclass(frozen=True)
class Targeted:
    """A session with its plan limited to targets, and what the targets pulled in."""

    session: Session
    pulled_in: tuple[str, ...] = ()


def targeted(session: Session, targets: tuple[str, ...]) -> Targeted:
    """The session with its plan limited to ``targets`` (all of it when there are none)."""
    if not targets:
        return Targeted(session)
    from reconciler.core.targeting import by_name, parse_target, select  # only for --target

    state = session.desired.state
    chosen = select(session.plan, [by_name(parse_target(t), state) for t in targets])
    return Targeted(replace(session, plan=chosen.plan), tuple(chosen.pulled_in))


def binding(session: Session, target: Target, targets: tuple[str, ...]) -> Binding:
    """What the session's plan was made from, as a saved plan records it."""
    from reconciler.storage.saved_plans import Binding, file_sha256
    from reconciler.workflows.saved_backend import saved_backend

    return Binding(
        desired_file=str(target.file),
        desired_sha256=file_sha256(target.file),
        state_file=None if target.state is None else str(target.state),
        sandbox=target.sandbox,
        targets=tuple(sorted(_target_text(t) for t in targets)),
        lineage=session.known.lineage if session.store.exists() else None,
        serial=session.stored_serial,
        backend=saved_backend(target),
    )


def check_plan_out(out: Path, target: Target) -> None:
    """Refuse (``PlanFileError``) to save a plan over the target's own files or over an
    existing file that is not a saved plan."""
    from reconciler.storage.drift_log import drift_log_path
    from reconciler.storage.saved_plans import refuse_overwrite

    state = target.state_path
    protected = {
        target.file: "the desired-state file",
        **target.file_backend().files(),
        **target.backend().files(),
        drift_log_path(state): "the drift log",
        target.sandbox_data_path: "the sandbox's data",
    }
    if target.env_file is not None:
        protected[target.env_file] = "the settings file"
    refuse_overwrite(out, protected)


def session_for_saved_plan(inputs: Inputs, reading: Reading = contextlib.nullcontext) -> Targeted:
    """Re-plan from a saved plan's inputs; refuse (``StalePlan``) unless they and its calls
    are unchanged. Creating clients is allowed here: the freshness check refuses any call not
    in the saved plan."""
    saved, desired = inputs.saved, inputs.desired
    if saved is None or desired is None:
        raise ValueError("a saved plan and its desired state are needed")
    targets = saved.binding.targets
    chosen = targeted(
        open_session(inputs.target, desired, create_missing=True, reading=reading), targets
    )
    from reconciler.storage.saved_plans import check_fresh

    check_fresh(saved, binding(chosen.session, inputs.target, targets), chosen.session.plan)
    return chosen


def _target_text(target: str) -> str:
    from reconciler.core.targeting import parse_target

    return parse_target(target).text
