"""Runs a plan against the API, recording every success in the known state as it happens.

Calls run concurrently up to a bound, each after the calls it depends on; the first runs alone
(``slow_start``), so that an answer dooming every call is met once. A failed call does
not stop independent ones; the calls that depend on it are skipped and say why. Every success
is journaled before it is reported (its outcome, the calls that depend on it, the known state
returned) and before its slot takes another call; successes that complete together share one
write and one fsync, made off the event loop. An apply that dies at any moment has recorded
everything reported as succeeded, and at most one success per slot is lost.

A call waiting for a creation of the same apply (registering a serie created just before) is
bound to the id the API gave (``Call.bound``) once the creation has succeeded; when the
creation's answer shows it already did what the call would, the call is recorded, not made.

When a success can't be recorded (disk full, ...), the apply stops at once: the calls still
running are cancelled, no later success is recorded, and ``StateWriteError`` says what is.

Before each batch of calls the run proves it still holds the known-state lock (``LockProof``),
unless the store's lock is one the operating system holds until the process ends (a file's).
When it can't (the database connection holding the lock was ended), or when a success can't be
recorded because that connection is gone, it sends no further call: the calls in flight finish
and are recorded if they can be, and ``LockLost`` says how many calls were made and recorded.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr

from reconciler.api.api_client import Answer, ApiClient
from reconciler.clock import now
from reconciler.core.breaker import Breaker
from reconciler.core.kinds import registry
from reconciler.core.known import KnownState, Record
from reconciler.core.plan import Call, Plan
from reconciler.core.report import ApplyReport, Outcome, OutcomeListener, Status
from reconciler.core.secrets import is_digest
from reconciler.core.verification import Verification
from reconciler.errors import ApiError, LockLost, StateWriteError
from reconciler.storage.backend import StateBackend
from reconciler.workflows.create_missing import created_id, created_resource, send
from reconciler.workflows.lock_proof import LockProof
from reconciler.workflows.session import Session, redactor_for
from reconciler.workflows.slow_start import SlowStart
from reconciler.workflows.verify import verify

log = logging.getLogger(__name__)

LOCK_LOST = "the known-state lock was lost"
NOT_RECORDED = "made, but not recorded: the known-state lock was lost"


class _Recorder:
    """Folds successes into the known state and journals them, in completion order.

    Group commit: a success is folded at once (so serials follow completion order) and queued;
    one writer, off the event loop, makes durable together every success queued since its last
    write. ``record`` returns only once its success is durable, and ``state`` holds only
    durable successes. After a write fails, none is written again: the journal must not go on
    past a write that failed.
    """

    def __init__(self, state: KnownState, store: StateBackend, key_id: str) -> None:
        self.state = state
        self.made = 0
        self.recorded = 0
        self.failed: Exception | None = None
        self.lost: LockLost | None = None
        self._folded = state
        self._store = store
        self._key_id = key_id
        self._queued: list[_Queued] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(
        self, call: Call, answer: Mapping[str, Any] | None, resource: str | None = None
    ) -> None:
        """Record the call's success, under ``resource`` when it differs from the call's own
        (a client created gets the key of its new id); return once it is durable."""
        if self.failed is not None:
            raise self.failed
        key = resource or call.resource
        record = Record(applied=dict(call.record), applied_at=now(), answer=answer)
        # The digest-key fingerprint follows the records that hold digests.
        key_id = self._key_id if _holds_digest(call.record) else None
        self._folded = self._folded.applied(key, record, key_id)
        durable = asyncio.get_running_loop().create_future()
        self._queued.append(_Queued(self._folded, key, call, durable))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write())
        await durable

    async def finish(self) -> None:
        """Wait for the write in progress, if any, so that nothing is written afterwards."""
        if self._writer is not None:
            await asyncio.gather(asyncio.shield(self._writer), return_exceptions=True)

    async def _write(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queued and self.failed is None:
            group, self._queued = self._queued, []
            successes = [(queued.state, queued.key) for queued in group]
            try:
                write = loop.run_in_executor(None, self._store.append_all, successes)
                await asyncio.shield(write)
            except LockLost as error:
                self.lose(error)
                self._stop(error, group)
                return
            except StateWriteError as error:
                self._stop(self._stopped(error, [queued.call for queued in group]), group)
                return
            except Exception as error:  # the store's own (a database gone): ends the apply
                self._stop(error, group)
                return
            self.state = group[-1].state
            self.recorded += len(group)
            for queued in group:
                _settle(queued.durable, None)

    def lose(self, error: LockLost) -> None:
        """The lock is lost: no further call is sent (the first loss is the one reported)."""
        if self.lost is None:
            self.lost = error

    def _stop(self, error: Exception, group: list[_Queued]) -> None:
        self.failed = error
        for queued in group + self._queued:
            _settle(queued.durable, error)
        self._queued = []

    def _stopped(self, error: StateWriteError, lost: list[Call]) -> StateWriteError:
        shown = ", ".join(f"{call.action} {call.subject}" for call in lost)
        return StateWriteError(
            error.path,
            error.reason,
            f"The apply stopped at once: {_calls(self.recorded)} succeeded and "
            f"{'is' if self.recorded == 1 else 'are'} recorded; "
            f"{shown} succeeded but could not be recorded, so the next apply makes "
            f"{'it' if len(lost) == 1 else 'them'} again",
        )


@dataclass
class _Created:
    """What the creations of this apply were given, by the creation's resource: the id, and
    the answer (a call waiting for the creation reads it)."""

    ids: dict[str, int] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Queued:
    """A success folded into the state, waiting for its write."""

    state: KnownState
    key: str
    call: Call
    durable: asyncio.Future[None]


def _settle(durable: asyncio.Future[None], error: Exception | None) -> None:
    if durable.done():  # its call was cancelled while waiting
        return
    if error is None:
        durable.set_result(None)
    else:
        durable.set_exception(error)


def _calls(count: int) -> str:
    return f"{count} call" if count == 1 else f"{count} calls"


def _holds_digest(data: Mapping[str, Any]) -> bool:
    for value in data.values():
        if isinstance(value, str):
            if is_digest(value):
                return True
        elif isinstance(value, int | None):  # the other usual values, checked cheaply first
            continue
        elif isinstance(value, Mapping) and _holds_digest(value):
            return True
    return False


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
    proof = LockProof(store)
    breaker = Breaker()
    semaphore = SlowStart(concurrency)
    created = _Created()
    done: dict[str, asyncio.Future[Status]] = {
        call.resource: asyncio.get_running_loop().create_future() for call in plan.calls
    }

    async def run(call: Call) -> Outcome:
        outcome = await _run_after_dependencies(
            call, done, semaphore, client, recorder, proof, breaker, created
        )
        finished = done[call.resource]
        if not finished.done():  # a dependent cancelled while awaiting it cancels it too
            finished.set_result(outcome.status)
        if on_outcome is not None:
            on_outcome(outcome)
        return outcome

    tasks = [asyncio.ensure_future(run(call)) for call in plan.calls]
    try:
        outcomes = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    finally:
        await recorder.finish()
    if recorder.lost is not None:
        raise recorder.lost.counted(recorder.made, recorder.recorded)
    return ApplyReport(tuple(outcomes), recorder.state.without(plan.unmanaged), plan.unmanaged)


def forget_unmanaged(plan: Plan, known: KnownState) -> ApplyReport:
    """An apply of a plan without calls: only records no longer declared are dropped."""
    return ApplyReport((), known.without(plan.unmanaged), plan.unmanaged)


def save_applied(store: StateBackend, state: KnownState) -> None:
    """Save the known state an apply produced; if it can't be written, say that every success
    is still in the journal."""
    try:
        store.save(state)
    except LockLost as error:  # after the last call: every success was committed as it came
        raise StateWriteError(
            error.where,
            f"lost the known-state lock ({error.reason})",
            "Every success of this apply was committed as it happened; the next apply plans "
            "from them",
        ) from None
    except StateWriteError as error:
        raise StateWriteError(
            error.path,
            error.reason,
            f"Every success of this apply is recorded in {store.successes_kept}; the next run "
            "folds it into the known state",
        ) from None


async def _run_after_dependencies(
    call: Call,
    done: Mapping[str, asyncio.Future[Status]],
    semaphore: SlowStart,
    client: ApiClient,
    recorder: _Recorder,
    proof: LockProof,
    breaker: Breaker,
    created: _Created,
) -> Outcome:
    for dependency in call.depends_on:
        if dependency in done and await done[dependency] is not Status.SUCCEEDED:
            return Outcome(call, Status.SKIPPED, f"needs {dependency}, which did not succeed")
    waiting = call.waits_for
    if created.ids:  # bound to nothing, a call is itself
        call = call.bound(created.ids)
    async with semaphore:
        if recorder.failed is not None and recorder.lost is None:
            raise recorder.failed  # the apply is stopping: make no further call
        refusal = breaker.refusal(call)
        if refusal is not None:
            return Outcome(call, Status.NOT_ATTEMPTED, refusal)
        if recorder.lost is None:
            try:
                await proof.ready()
            except LockLost as error:
                recorder.lose(error)
        if recorder.lost is not None:
            return Outcome(call, Status.NOT_ATTEMPTED, LOCK_LOST)
        made = registry.kind_of(call.action).made_by_creation(call, created.answers.get(waiting))
        if waiting and made is not None:
            if not await _recorded(recorder, call, made):
                return Outcome(call, Status.FAILED, NOT_RECORDED)
            return Outcome(call, Status.SUCCEEDED, f"done by its creation ({waiting})")
        recorder.made += 1
        try:
            answer = await send(client, call)
            key = created_resource(call, answer)
            if key is not None:
                given = created_id(call, answer)
                created.ids[call.resource], created.answers[call.resource] = given, answer.body
                call = call.bound(created.ids)
        except ApiError as error:
            if not _already_made(call, error):
                breaker.failed(call, error)
                return Outcome(call, Status.FAILED, str(error), cause=error.cause)
            answered = {"conflict": error.code, "message": error.message}
            if not await _recorded(recorder, call, answered):
                return Outcome(call, Status.FAILED, NOT_RECORDED)
            return Outcome(call, Status.SUCCEEDED, f"already registered: {error.message}")
        # Recorded while the slot is held: at most one success per slot is not yet durable.
        if not await _recorded(recorder, call, _answer_worth_keeping(call, answer), key):
            return Outcome(call, Status.FAILED, NOT_RECORDED)
    return Outcome(call, Status.SUCCEEDED, _created_as(call, key, created))


async def _recorded(
    recorder: _Recorder, call: Call, answer: Mapping[str, Any] | None, resource: str | None = None
) -> bool:
    """Record a success; False when it can't be, the lock being lost (the run stops)."""
    try:
        await recorder.record(call, answer, resource)
    except LockLost as error:
        recorder.lose(error)
        return False
    return True


def _created_as(call: Call, key: str | None, created: _Created) -> str:
    """What a creation's outcome says: the key it is recorded under, or its kind and id."""
    if key is None:
        return ""
    if registry.is_resource(key):
        return f"created as {key}"
    return f"created as {call.action.kind} {created.ids[call.resource]}"


def _already_made(call: Call, error: ApiError) -> bool:
    """A 409 whose code says the call had been made (a registration whose answer was lost)."""
    codes = registry.kind_of(call.action).converged_conflicts(call)
    return error.status == 409 and error.code in codes


def _answer_worth_keeping(call: Call, answer: Answer) -> dict[str, Any] | None:
    """The parts of an answer the known state keeps (a registration's validation codes)."""
    return registry.kind_of(call.action).answer_kept(call, answer.body)


async def apply_and_verify(
    session: Session,
    base_url: str,
    api_key: SecretStr,
    listener: OutcomeListener,
    verify_after: bool,
) -> tuple[ApplyReport, Verification | None]:
    """Apply the session's plan, then read back what succeeded when asked."""
    redactor = redactor_for(session.desired, session.environ)
    async with ApiClient(base_url, api_key, session.tool, redactor=redactor) as client:
        report = await apply_plan(
            session.plan,
            client,
            session.store,
            session.known,
            concurrency=session.tool.concurrency,
            on_outcome=listener,
        )
        if client.pacing is not None:
            report = dataclasses.replace(report, pace=client.pacing.summary())
            log.info("request rate at the end: %.0f/min", client.pacing.per_minute)
        return report, (await verify(report, client) if verify_after else None)
