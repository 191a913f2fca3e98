"""What a fleet does for each of its accounts: plan, refresh, or plan and apply under the lock.

Each step is the single-account use case, run in the account's own thread: the lock, session,
client and event loop are the account's, never shared. A step closes the account's known-state
store and lock (and so their database connection) when it ends, so a fleet holds at most one
connection per account in progress, whatever its size.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass

from pydantic import SecretStr

from reconciler import interrupts
from reconciler.core.guard import check_plan_is_safe
from reconciler.core.live_fold import Refreshed
from reconciler.core.plan import Plan
from reconciler.core.report import ApplyReport, OutcomeListener
from reconciler.core.verification import Verification
from reconciler.errors import StalePlan, StateWriteError
from reconciler.storage.lock import Owner
from reconciler.workflows.apply import apply_and_verify, forget_unmanaged, save_applied
from reconciler.workflows.locking import state_lock
from reconciler.workflows.refresh import refresh_account
from reconciler.workflows.session import Inputs, Session, api_target, open_session


@dataclass(frozen=True)
class PlanOptions:
    """How each account is planned."""

    refresh: bool = False
    create_missing: bool = False
    lock_timeout: float = 0.0


def plan_account(inputs: Inputs, options: PlanOptions) -> Session:
    """The account's plan; with a refresh, made under its lock (a refresh writes). The known
    state's store is closed before it returns."""
    if inputs.desired is None:
        raise ValueError("a plan needs the desired state")
    if not options.refresh:
        session = open_session(inputs.target, inputs.desired, create_missing=options.create_missing)
    else:
        with state_lock(inputs.target, "plan --refresh", options.lock_timeout):
            session = open_session(
                inputs.target, inputs.desired, refresh=True, create_missing=options.create_missing
            )
    session.store.close()
    return session


def plan_to_approve(inputs: Inputs, options: PlanOptions, *, force: bool) -> Session:
    """The account's plan to show before asking, made without its lock (with a refresh, under
    it only while refreshing), and checked as safe unless ``force``."""
    session = plan_account(inputs, options)
    if not force:
        check_plan_is_safe(
            session.plan, session.known, max_fraction=session.tool.max_change_fraction
        )
    return session


def calls_digest(plan: Plan) -> str:
    """A digest of the plan's calls (method, path, body), to tell whether planning again gives
    the same calls."""
    requests = [(call.method, call.path, call.body) for call in plan.calls]
    text = json.dumps(requests, sort_keys=True, default=_plain, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: object) -> object:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return str(value)


def refresh_fleet_account(inputs: Inputs, lock_timeout: float) -> Refreshed:
    """Refresh the account under its lock."""
    if inputs.desired is None:
        raise ValueError("a refresh needs the desired state")
    with state_lock(inputs.target, "refresh", lock_timeout):
        return refresh_account(inputs.target, inputs.desired)


@dataclass
class Pending:
    """An account planned for an apply, its lock still held (``held`` releases it)."""

    inputs: Inputs
    session: Session
    held: contextlib.ExitStack
    left_behind: Owner | None = None
    """The owner of a file lock left by an apply that died, taken over."""


def plan_held(
    inputs: Inputs, options: PlanOptions, *, force: bool, approved: str | None = None
) -> Pending:
    """Take the account's lock (waiting up to the lock timeout), then plan against the known
    state as it is now and check the plan is safe. The lock stays held for the apply.

    ``approved`` is the ``calls_digest`` of the plan shown and approved: ``StalePlan`` (the
    lock released, nothing applied) when planning again under the lock gives other calls."""
    if inputs.desired is None:
        raise ValueError("an apply needs the desired state")
    held = contextlib.ExitStack()
    try:
        left = held.enter_context(state_lock(inputs.target, "apply", options.lock_timeout))
        session = open_session(
            inputs.target,
            inputs.desired,
            refresh=options.refresh,
            create_missing=options.create_missing,
        )
        held.callback(session.store.close)
        if approved is not None and calls_digest(session.plan) != approved:
            raise StalePlan(
                f"stale plan: {inputs.target.file}: planning again under the lock gives other "
                "calls than the plan approved (the known state or the account changed "
                "meanwhile); nothing applied: run the apply again"
            )
        if not force:
            check_plan_is_safe(
                session.plan, session.known, max_fraction=session.tool.max_change_fraction
            )
    except BaseException:
        held.close()
        raise
    return Pending(inputs, session, held, left)


@dataclass(frozen=True)
class Applied:
    """What applying one account did: its report and verification (none for an empty plan),
    or the write failure that stopped it once calls were made."""

    session: Session
    report: ApplyReport | None = None
    verification: Verification | None = None
    write_failed: StateWriteError | None = None
    left_behind: Owner | None = None

    @property
    def ok(self) -> bool:
        return (
            self.write_failed is None
            and (self.report is None or self.report.ok)
            and (self.verification is None or self.verification.ok)
        )


def apply_held(pending: Pending, listener: OutcomeListener, *, verify_after: bool) -> Applied:
    """Make the planned calls of a pending account, record them, release its lock."""
    with pending.held:
        session, left = pending.session, pending.left_behind
        if session.plan.is_empty:
            return Applied(session, left_behind=left)
        if not session.plan.calls:  # only records to drop
            report = forget_unmanaged(session.plan, session.known)
            session.store.save(report.state)
            return Applied(session, report, left_behind=left)
        try:
            with api_target(pending.inputs.target) as (base_url, api_key):
                report, verification = interrupts.run_async(
                    apply_and_verify(session, base_url, api_key, listener, verify_after)
                )
            save_applied(session.store, report.state)
        except StateWriteError as error:  # only ever raised once a call has succeeded
            return Applied(session, write_failed=error, left_behind=left)
        return Applied(session, report, verification, left_behind=left)
