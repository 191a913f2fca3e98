"""The plan: the ordered API calls that bring the account from its known to its desired state.

A plan only holds data. Calls are frozen value objects sorted once, by phase and then by the
id of what they concern: the account update (which carries the AT credentials) comes before
any registration, a registration before making the same sequence the default, and clients are
independent of everything. Each call names the resources it depends on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from reconciler.core import resources as res
from reconciler.core.diff import FieldChange, diff_fields
from reconciler.core.known import KnownState
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import Desired, problem_at
from reconciler.desired.loader import YamlPath
from reconciler.desired.models import Account, Client, Sequences
from reconciler.errors import Problem, ValidationFailed


class Action(StrEnum):
    """What a call does; the value doubles as its name in plans and summaries."""

    UPDATE_ACCOUNT = "update account"
    REGISTER_SEQUENCE = "register sequence"
    SET_DEFAULT_SEQUENCE = "set default sequence"
    UPDATE_CLIENT = "update client"
    CREATE_CLIENT = "create client"


class Reason(StrEnum):
    """Why a call is needed; the value is its text in plans, and ``symbol`` its mark."""

    NEVER_APPLIED = "never applied"
    CHANGED = "changed since last apply"
    NOT_REGISTERED = "not yet registered"
    NO_CLIENT_WITH_CODE = "no client has this code"

    @property
    def symbol(self) -> str:
        """``+`` for what the account gets for the first time, ``~`` for a change."""
        return "~" if self is Reason.CHANGED else "+"


PHASES: Mapping[Action, int] = {
    Action.UPDATE_ACCOUNT: 0,
    Action.REGISTER_SEQUENCE: 1,
    Action.SET_DEFAULT_SEQUENCE: 2,
    Action.UPDATE_CLIENT: 3,
    Action.CREATE_CLIENT: 4,
}
NEW_CLIENT_PREFIX = "new-client:"
"""The resource of a client to create: it has no id until the API gives it one."""


@dataclass(frozen=True)
class Source:
    """Where the YAML that declared a call was written: the file as given, 1-based line, column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, order=True)
class Call:
    """One API call of a plan, with why it is needed and what to record once it succeeds."""

    sort_key: tuple[int, int]
    action: Action = field(compare=False)
    resource: str = field(compare=False)
    target_id: int = field(compare=False)
    method: str = field(compare=False)
    path: str = field(compare=False)
    body: Mapping[str, Any] | None = field(compare=False)
    changes: tuple[FieldChange, ...] = field(compare=False)
    reason: Reason = field(compare=False)
    depends_on: tuple[str, ...] = field(compare=False, default=())
    record: Mapping[str, Any] = field(compare=False, default_factory=dict)
    source: Source | None = field(compare=False, default=None)

    @property
    def subject(self) -> str:
        """What the call concerns, as shown: an id, or the code of a client to create."""
        if self.resource.startswith(NEW_CLIENT_PREFIX):
            return repr(self.resource.removeprefix(NEW_CLIENT_PREFIX))
        return str(self.target_id)


@dataclass(frozen=True)
class InSync:
    """A declared resource that needs no call, and why."""

    resource: str
    why: str


@dataclass(frozen=True)
class Plan:
    """Every call needed, in order, every declared resource that needs none, and the recorded
    resources the desired state no longer declares (``unmanaged``: their records are dropped,
    nothing is deleted on the account)."""

    calls: tuple[Call, ...]
    in_sync: tuple[InSync, ...]
    lineage: str
    serial: int
    key_id: str
    unmanaged: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Whether applying would change nothing: no call, no record to drop."""
        return not self.calls and not self.unmanaged

    def counts(self) -> dict[Action, int]:
        """How many calls of each action the plan makes, in the order they run."""
        counted = Counter(call.action for call in self.calls)
        return {action: counted[action] for action in PHASES if counted[action]}


def build_plan(
    desired: Desired, known: KnownState, key: DigestKey, *, creatable: frozenset[str] = frozenset()
) -> Plan:
    """Compare desired and known per resource; raise ValidationFailed on impossible changes.

    Clients and sequences must be resolved to ids first (``reconciler.workflows.resolve``); a client
    without id is created only when its code is in ``creatable``.
    """
    problems: list[Problem] = []
    calls: list[Call] = []
    in_sync: list[InSync] = []
    secrets_comparable = known.key_id in (None, key.key_id)
    state = desired.state
    account_call: Call | None = None
    if state.account is not None:
        problems.extend(_account_problems(desired, state.account, known))
        resource = f"{res.ACCOUNT}:{state.account.id}"
        if res.declared_fields(state.account):
            where = _where(desired, ("account",))
            account_call = _account_call(state.account, known, key, secrets_comparable, where)
            _collect(account_call, resource, calls, in_sync)
        else:  # an update with an empty body would change nothing
            in_sync.append(InSync(resource, "nothing declared beyond its id"))
    if state.sequences is not None:
        problems.extend(_unresolved_series(desired, state.sequences))
        depends = (account_call.resource,) if account_call else ()
        _sequence_calls(desired, state.sequences, known, depends, calls, in_sync)
    for index, client in enumerate(state.clients):
        if client.id is None:
            if client.code in creatable:
                source = _where(desired, ("clients", index))()
                calls.append(_create_call(client, index, key, source))
            else:
                code = ("clients", index, "code")
                problems.append(problem_at(desired, code, "client not resolved to an id"))
            continue
        where = _where(desired, ("clients", index))
        client_call = _client_call(client, client.id, known, key, secrets_comparable, where)
        _collect(client_call, res.client_key(client.id), calls, in_sync)
    if problems:
        raise ValidationFailed(problems)
    declared = {call.resource for call in calls} | {item.resource for item in in_sync}
    unmanaged = tuple(
        sorted(k for k in known.resources if res.is_resource(k) and k not in declared)
    )
    return Plan(
        tuple(sorted(calls)), tuple(in_sync), known.lineage, known.serial, key.key_id, unmanaged
    )


def _where(desired: Desired, path: YamlPath) -> Callable[[], Source]:
    """Where ``path`` was declared, looked up only when called: only for a call that is made
    (most resources of a big plan are in sync)."""

    def source() -> Source:
        where = desired.source.locate(path)
        return Source(desired.file, where.line, where.column)

    return source


def _unresolved_series(desired: Desired, sequences: Sequences) -> list[Problem]:
    refs: list[tuple[tuple[str | int, ...], int | str | None]]
    refs = [(("sequences", "default"), sequences.default)]
    refs += [(("sequences", "register", i), r) for i, r in enumerate(sequences.to_register)]
    return [
        problem_at(desired, where, f"serie {ref!r} not resolved to a sequence id")
        for where, ref in refs
        if isinstance(ref, str)
    ]


def _create_call(client: Client, index: int, key: DigestKey, source: Source) -> Call:
    declared = res.comparable(res.declared_fields(client), key)
    return Call(
        sort_key=(PHASES[Action.CREATE_CLIENT], index),
        action=Action.CREATE_CLIENT,
        resource=NEW_CLIENT_PREFIX + client.code,
        target_id=0,
        method="POST",
        path="/clients.json",
        body=res.client_body(client),
        changes=diff_fields(None, declared),
        reason=Reason.NO_CLIENT_WITH_CODE,
        record=declared,
        source=source,
    )


def _collect(call: Call | None, resource: str, calls: list[Call], in_sync: list[InSync]) -> None:
    if call is None:
        in_sync.append(InSync(resource, "declared fields match what was last applied"))
    else:
        calls.append(call)


def _reason(record_exists: bool) -> Reason:
    return Reason.CHANGED if record_exists else Reason.NEVER_APPLIED


def _account_problems(desired: Desired, account: Account, known: KnownState) -> list[Problem]:
    record = known.get(f"{res.ACCOUNT}:{account.id}")
    if record is None or account.fiscal_id is None:
        return []
    applied = record.applied.get("fiscal_id")
    if applied and applied != account.fiscal_id:
        return [
            problem_at(
                desired,
                ("account", "fiscal_id"),
                f"Vat Number can't be changed (it is {applied!r} on account {account.id})",
            )
        ]
    return []


def _account_call(
    account: Account,
    known: KnownState,
    key: DigestKey,
    secrets_comparable: bool,
    where: Callable[[], Source],
) -> Call | None:
    return _update_call(
        Action.UPDATE_ACCOUNT,
        f"{res.ACCOUNT}:{account.id}",
        account.id,
        f"/api/accounts/{account.id}/update.json",
        lambda: res.account_body(account),
        res.comparable(res.declared_fields(account), key),
        known,
        secrets_comparable,
        where,
    )


def _client_call(
    client: Client,
    client_id: int,
    known: KnownState,
    key: DigestKey,
    secrets_comparable: bool,
    where: Callable[[], Source],
) -> Call | None:
    return _update_call(
        Action.UPDATE_CLIENT,
        res.client_key(client_id),
        client_id,
        f"/clients/{client_id}.json",
        lambda: res.client_body(client),
        res.comparable(res.declared_fields(client), key),
        known,
        secrets_comparable,
        where,
    )


def _update_call(
    action: Action,
    resource: str,
    target_id: int,
    path: str,
    body: Callable[[], Mapping[str, Any]],
    declared: dict[str, Any],
    known: KnownState,
    secrets_comparable: bool,
    where: Callable[[], Source],
) -> Call | None:
    """A PUT of every declared field, or None when nothing declared differs from the record.

    The body and the source are made only for a call that is needed: most resources of a big
    plan are in sync.
    """
    record = known.get(resource)
    changes = diff_fields(
        record.applied if record else None, declared, secrets_comparable=secrets_comparable
    )
    if record is not None and not changes:
        return None
    return Call(
        sort_key=(PHASES[action], target_id),
        action=action,
        resource=resource,
        target_id=target_id,
        method="PUT",
        path=path,
        body=body(),
        changes=changes,
        reason=_reason(record is not None),
        record=declared,
        source=where(),
    )


def _sequence_calls(
    desired: Desired,
    sequences: Sequences,
    known: KnownState,
    account_dependency: tuple[str, ...],
    calls: list[Call],
    in_sync: list[InSync],
) -> None:
    planned_registrations: set[str] = set()
    # Series were resolved to ids before planning (an unresolved one is a problem).
    for index, sequence_id in enumerate(sequences.to_register):
        if not isinstance(sequence_id, int):
            continue
        resource = res.registration_key(sequence_id)
        record = known.get(resource)
        if record is not None:
            # Registration is one-shot: never registered again once recorded.
            in_sync.append(
                InSync(resource, f"registered with the Tax Authority ({record.applied_at})")
            )
            continue
        planned_registrations.add(resource)
        registration = Call(
            sort_key=(PHASES[Action.REGISTER_SEQUENCE], sequence_id),
            action=Action.REGISTER_SEQUENCE,
            resource=resource,
            target_id=sequence_id,
            method="PUT",
            path=f"/sequences/{sequence_id}/register.json",
            body=None,
            changes=(FieldChange("registered", False, True),),
            reason=Reason.NOT_REGISTERED,
            depends_on=account_dependency,
            record={"registered": True},
            source=_where(desired, ("sequences", "register", index))(),
        )
        calls.append(registration)
    default = sequences.default
    if not isinstance(default, int):
        return
    record = known.get(res.DEFAULT_SEQUENCE)
    before = record.applied.get("id") if record else None
    if before == default:
        in_sync.append(InSync(res.DEFAULT_SEQUENCE, f"sequence {before} is the default"))
        return
    registration_key = res.registration_key(default)
    set_default = Call(
        sort_key=(PHASES[Action.SET_DEFAULT_SEQUENCE], default),
        action=Action.SET_DEFAULT_SEQUENCE,
        resource=res.DEFAULT_SEQUENCE,
        target_id=default,
        method="PUT",
        path=f"/sequences/{default}/set_current.json",
        body=None,
        changes=(FieldChange("default", before, default),),
        reason=_reason(record is not None),
        depends_on=(registration_key,) if registration_key in planned_registrations else (),
        record={"id": default},
        source=_where(desired, ("sequences", "default"))(),
    )
    calls.append(set_default)
