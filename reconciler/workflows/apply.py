"""Runs a plan against the API, recording every success in the known state as it happens.

Calls run concurrently up to a bound, each after the calls it depends on. A failed call does
not stop independent ones; the calls that depend on it are skipped and say why. Every success
is folded into the known state and journaled before the next result is looked at, so an apply
that dies at any moment has recorded everything that succeeded before it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr

from reconciler.api.client import Answer, ApiClient
from reconciler.core import normalize as norm
from reconciler.core.known import KnownState, Record, now
from reconciler.core.plan import Action, Call, Plan
from reconciler.core.report import ApplyReport, Outcome, OutcomeListener, Status
from reconciler.core.secrets import is_digest
from reconciler.core.verification import Verification
from reconciler.errors import ApiError
from reconciler.storage.backend import StateBackend
from reconciler.workflows.create_missing import created_resource, send
from reconciler.workflows.session import Session, redactor_for
from reconciler.workflows.verify import verify

# 409 answers to a registration that mean "nothing left to do": 005 all registered,
# 008 already being registered. Either way the sequence must not be registered again.
REGISTRATION_CONVERGED_CODES = frozenset({"005", "008"})


class _Recorder:
    """Folds successes into the known state and journals each one, in completion order."""

    def __init__(self, state: KnownState, store: StateBackend, key_id: str) -> None:
        self.state = state
        self._store = store
        self._key_id = key_id

    def record(
        self, call: Call, answer: Mapping[str, Any] | None, resource: str | None = None
    ) -> None:
        """Record the call's success, under ``resource`` when it differs from the call's own
        (a client created gets the key of its new id)."""
        key = resource or call.resource
        record = Record(applied=dict(call.record), applied_at=now(), answer=answer)
        # The digest-key fingerprint follows the records that hold digests.
        key_id = self._key_id if _holds_digest(call.record) else None
        self.state = self.state.applied(key, record, key_id)
        self._store.append(self.state, key)


def _holds_digest(data: Mapping[str, Any]) -> bool:
    return any(is_digest(v) or (isinstance(v, Mapping) and _holds_digest(v)) for v in data.values())


async def apply_plan(
    plan: Plan,
    client: ApiClient,
    store: StateBackend,
    known: KnownState,
    *,
    concurrency: int,
    on_outcome: OutcomeListener | None = None,
) -> ApplyReport:
    """Make the plan's calls; return every outcome and the known state they produced."""
    recorder = _Recorder(known, store, plan.key_id)
    semaphore = asyncio.Semaphore(concurrency)
    done: dict[str, asyncio.Future[Status]] = {
        call.resource: asyncio.get_running_loop().create_future() for call in plan.calls
    }

    async def run(call: Call) -> Outcome:
        outcome = await _run_after_dependencies(call, done, semaphore, client, recorder)
        done[call.resource].set_result(outcome.status)
        if on_outcome is not None:
            on_outcome(outcome)
        return outcome

    outcomes = await asyncio.gather(*(run(call) for call in plan.calls))
    return ApplyReport(tuple(outcomes), recorder.state)


async def _run_after_dependencies(
    call: Call,
    done: Mapping[str, asyncio.Future[Status]],
    semaphore: asyncio.Semaphore,
    client: ApiClient,
    recorder: _Recorder,
) -> Outcome:
    for dependency in call.depends_on:
        if dependency in done and await done[dependency] is not Status.SUCCEEDED:
            return Outcome(call, Status.SKIPPED, f"needs {dependency}, which did not succeed")
    async with semaphore:
        try:
            answer = await send(client, call)
            created = created_resource(call, answer)
        except ApiError as error:
            if _registration_converged(call, error):
                recorder.record(call, {"conflict": error.code, "message": error.message})
                return Outcome(call, Status.SUCCEEDED, f"already registered: {error.message}")
            return Outcome(call, Status.FAILED, str(error))
    recorder.record(call, _answer_worth_keeping(call, answer), created)
    detail = f"created as {created}" if created else ""
    return Outcome(call, Status.SUCCEEDED, detail)


def _registration_converged(call: Call, error: ApiError) -> bool:
    return (
        call.action is Action.REGISTER_SEQUENCE
        and error.status == 409
        and error.code in REGISTRATION_CONVERGED_CODES
    )


def _answer_worth_keeping(call: Call, answer: Answer) -> dict[str, Any] | None:
    """The parts of an answer the known state keeps: a registration's validation codes."""
    if call.action is not Action.REGISTER_SEQUENCE or not isinstance(answer.body, Mapping):
        return None
    sequences = answer.body.get("sequences")
    if not isinstance(sequences, list) or not sequences or not isinstance(sequences[0], Mapping):
        return None
    return {"validation_codes": norm.validation_codes(sequences[0])}


async def apply_and_verify(
    session: Session,
    base_url: str,
    api_key: SecretStr,
    listener: OutcomeListener,
    verify_after: bool,
) -> tuple[ApplyReport, Verification | None]:
    """Apply the session's plan, then read back what succeeded when asked."""
    redactor = redactor_for(session.desired)
    async with ApiClient(base_url, api_key, session.tool, redactor=redactor) as client:
        report = await apply_plan(
            session.plan,
            client,
            session.store,
            session.known,
            concurrency=session.tool.concurrency,
            on_outcome=listener,
        )
        return report, (await verify(report, client) if verify_after else None)
