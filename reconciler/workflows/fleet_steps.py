"""What a fleet does for each of its accounts: plan, refresh, or plan and apply under the lock.

Each step is the single-account use case (an apply's calls are ``apply_run.apply_planned``'s),
run in the account's own thread: the lock, session, client and event loop are the account's,
never shared. A step closes the account's known-state store and lock (and so their database
connection) when it ends, so a fleet holds at most one connection per account in progress,
whatever its size.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, replace

from pydantic import SecretStr

from reconciler.core.live_fold import Refreshed
from reconciler.core.plan import Plan
from reconciler.errors import StalePlan
from reconciler.storage.lock import Owner
from reconciler.workflows.apply_run import Applied, Watching, apply_planned, check_safe
from reconciler.workflows.refresh import refresh_account
from reconciler.workflows.session import Inputs, Session, open_session
from reconciler.workflows.state_lock import state_lock


@dataclass(frozen=True)
class PlanOptions:
    """How each account is planned."""

    refresh: bool = False
    create_missing: bool = False


def plan_account(inputs: Inputs, options: PlanOptions) -> Session:
    """The account's plan; with a refresh, made under its lock (a refresh writes). The known
    state's store is closed before it returns."""
    if inputs.desired is None:
        raise ValueError("a plan needs the desired state")
    if not options.refresh:
        session = open_session(inputs.target, inputs.desired, create_missing=options.create_missing)
    else:
        with state_lock(inputs.target, "plan --refresh", inputs.target.lock_timeout):
            session = open_session(
                inputs.target, inputs.desired, refresh=True, create_missing=options.create_missing
            )
    session.store.close()
    return session


def plan_to_approve(inputs: Inputs, options: PlanOptions, *, force: bool) -> Session:
    """The account's plan to show before asking, made without its lock (with a refresh, under
    it only while refreshing), and checked as safe unless ``force``."""
    session = plan_account(inputs, options)
    check_safe(session, force=force)
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


def refresh_fleet_account(inputs: Inputs) -> Refreshed:
    """Refresh the account under its lock."""
    if inputs.desired is None:
        raise ValueError("a refresh needs the desired state")
    with state_lock(inputs.target, "refresh", inputs.target.lock_timeout):
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
        target = inputs.target
        left = held.enter_context(state_lock(target, "apply", target.lock_timeout))
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
        check_safe(session, force=force)
    except BaseException:
        held.close()
        raise
    return Pending(inputs, session, held, left)


def apply_held(pending: Pending, watching: Watching, *, verify_after: bool) -> Applied:
    """Apply a pending account (``apply_run.apply_planned``), then release its lock."""
    with pending.held:
        applied = apply_planned(
            pending.session, pending.inputs.target, watching, verify_after=verify_after
        )
    return replace(applied, left_behind=pending.left_behind)
