"""An apply, for one account or each of a fleet's: the plan to apply, its safety check, then
its calls made and each success recorded.

``apply`` of one account and every account of a fleet's apply run the same steps: the command
plans (``plan_for_apply``, or ``fleet_steps.plan_held`` under the account's lock), shows the
plan and asks, checks it (``check_safe``), and ``apply_planned`` makes the calls through the
account's client (or a sandbox started here), saves the known state and says what it did in an
``Applied``, which the command prints.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from reconciler import interrupts
from reconciler.core.guard import check_plan_is_safe
from reconciler.core.report import ApplyReport, OutcomeListener
from reconciler.core.verification import Verification
from reconciler.errors import ReconcilerError, StateWriteError
from reconciler.storage.lock import Owner
from reconciler.workflows.apply import apply_and_verify, forget_unmanaged, save_applied
from reconciler.workflows.plan_run import Targeted, session_for_saved_plan, targeted
from reconciler.workflows.session import Inputs, Reading, Session, api_target, open_session
from reconciler.workflows.target import Target

Watching = Callable[[int], contextlib.AbstractContextManager[OutcomeListener]]
"""What to hold open while the calls are made, given how many: a listener of each call's
outcome (the command shows progress with it, and says what an interrupt left done)."""


@dataclass(frozen=True)
class Applied:
    """What applying one account did: its report and verification (none for an empty plan),
    and the write failure that stopped it once calls were made (with the report, when it
    came only as the known state was saved at the end)."""

    session: Session
    report: ApplyReport | None = None
    verification: Verification | None = None
    write_failed: StateWriteError | None = None
    left_behind: Owner | None = None
    """The owner of a file lock left by an apply that died, taken over."""

    @property
    def ok(self) -> bool:
        return (
            self.write_failed is None
            and (self.report is None or self.report.ok)
            and (self.verification is None or self.verification.ok)
        )


def plan_for_apply(
    inputs: Inputs,
    *,
    refresh: bool,
    create_missing: bool,
    targets: tuple[str, ...],
    reading: Reading = contextlib.nullcontext,
) -> Targeted:
    """The plan to apply: the saved plan's, planned again and refused unless unchanged, or
    one made now, limited to ``targets``; ``reading`` is held while the live account is read."""
    if inputs.saved is not None:
        return session_for_saved_plan(inputs, reading)
    if inputs.desired is None:
        raise ValueError("an apply needs the desired state")
    session = open_session(
        inputs.target,
        inputs.desired,
        refresh=refresh,
        create_missing=create_missing,
        reading=reading,
    )
    return targeted(session, targets)


def check_safe(session: Session, *, force: bool) -> None:
    """Refuse (``UnsafePlan``) a plan the safety guard stops, unless ``force``."""
    if not force:
        check_plan_is_safe(
            session.plan, session.known, max_fraction=session.tool.max_change_fraction
        )


def apply_planned(
    session: Session, target: Target, watching: Watching, *, verify_after: bool
) -> Applied:
    """Make the session's planned calls, recording each success, read back what succeeded
    when ``verify_after``, and save the known state; a plan of records to drop only makes no
    call. A write that fails once calls were made (the lock lost, a full disk) is returned in
    ``Applied.write_failed``; Ctrl-C goes through ``watching``."""
    if session.plan.is_empty:
        return Applied(session)
    if not session.plan.calls:
        report = forget_unmanaged(session.plan, session.known)
        session.store.save(report.state)
        return Applied(session, report)
    try:
        with (
            api_target(target) as (base_url, api_key),
            watching(len(session.plan.calls)) as listener,
        ):
            report, verification = interrupts.run_async(
                apply_and_verify(session, base_url, api_key, listener, verify_after)
            )
    except StateWriteError as error:  # only ever raised once a call has succeeded
        return Applied(session, write_failed=error)
    try:
        save_applied(session.store, report.state)
    except StateWriteError as error:
        return Applied(session, report, verification, write_failed=error)
    return Applied(session, report, verification)


def recorded_since(session: Session) -> int | None:
    """How many successes an apply of ``session`` recorded: each bumps the known state's
    serial by one (``None`` when the known state can't be read back to say)."""
    try:
        return max(0, session.store.load().serial - session.known.serial)
    except ReconcilerError:
        return None
