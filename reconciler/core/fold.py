"""Refresh: read the declared resources from the live account and fold them into the known state.

*Drift* is a declared field whose live value differs from what was last applied (or a resource
gone from the live account). Folding writes the live value into the record, so the next plan
proposes exactly the calls that bring the live account back to the desired state. A field
never applied takes its live value without counting as drift, and a declared resource never
applied gets a record from the live account (so one that already matches needs no call).

Secrets can't be read back (the API never shows a password): they are neither compared nor
folded, and the record keeps their digest.

Registrations and the default sequence: a sequence recorded as registered that the live
account shows unregistered (``N/D``) is drift, and its record is dropped so the plan registers
it again; one registered live but not recorded is recorded (no call needed). A live default
sequence other than the recorded one is drift.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from reconciler.core import normalize as norm
from reconciler.core import resources as res
from reconciler.core.diff import FieldChange
from reconciler.core.known import KnownState, Record
from reconciler.core.live_state import LiveState
from reconciler.core.secrets import DigestKey
from reconciler.desired.models import DesiredState

LIVE_ANSWER = {"source": "live account"}
"""The ``answer`` of a record made from the live account rather than from a call."""


@dataclass(frozen=True)
class Drift:
    """One declared resource whose live state differs from what was last applied.

    ``changes`` hold the last applied value as ``before`` and the live one as ``after``.
    """

    resource: str
    changes: tuple[FieldChange, ...] = ()
    gone: bool = False


@dataclass(frozen=True)
class Refreshed:
    """The known state with the live account folded in, and what the refresh found."""

    state: KnownState
    drift: tuple[Drift, ...]
    recorded: tuple[str, ...]
    unchecked_secrets: tuple[str, ...]
    read: int
    unreadable: tuple[str, ...] = ()
    """Declared fields the live account's answers did not carry (``client.email``): not
    compared, never drift; the record keeps what was applied."""

    @property
    def drifted(self) -> bool:
        return bool(self.drift)


def fold(
    state: DesiredState, known: KnownState, live: LiveState, key: DigestKey, *, at: str
) -> Refreshed:
    """Fold what the live account shows for every declared resource into the known state; a
    resource recorded for the first time is stamped ``at`` (when the live values were read)."""
    folder = _Folder(known, at)
    if state.account is not None:
        view = live.account
        folder.fields(
            f"{res.ACCOUNT}:{state.account.id}",
            res.comparable(res.declared_fields(state.account), key),
            norm.live_account(view) if view is not None else None,
        )
    for client in state.clients:
        if client.id is None:
            continue
        found = live.clients.get(client.id)
        folder.fields(
            res.client_key(client.id),
            res.comparable(res.declared_fields(client), key),
            norm.live_client(found) if found is not None else None,
        )
    if state.sequences is not None and live.sequences is not None:
        folder.sequences(state.sequences.to_register, state.sequences.default, live.sequences)
    secrets = []
    if state.account is not None:
        declared = res.declared_fields(state.account)
        secrets = [p for p, _ in norm.flatten(declared) if p in norm.SECRET_PATHS]
    return Refreshed(
        folder.state,
        tuple(folder.drift),
        tuple(folder.recorded),
        tuple(f"account.{p}" for p in secrets),
        folder.read,
        tuple(sorted(folder.unreadable)),
    )


class _Folder:
    """Accumulates the new known state, the drift found and the resources recorded."""

    def __init__(self, known: KnownState, at: str) -> None:
        self.state = known
        self.at = at
        self.drift: list[Drift] = []
        self.recorded: list[str] = []
        self.unreadable: set[str] = set()
        self.read = 0

    def _put(self, resource: str, record: Record) -> None:
        self.state = self.state.applied(resource, record)

    def _drop(self, resource: str) -> None:
        self.state = self.state.without((resource,))

    def fields(
        self, resource: str, declared: Mapping[str, Any], live: Mapping[str, Any] | None
    ) -> None:
        self.read += 1
        record = self.state.get(resource)
        if live is None:
            self.drift.append(Drift(resource, gone=True))
            self._drop(resource)
            return
        applied: dict[str, Any] = copy.deepcopy(dict(record.applied)) if record else {}
        changes: list[FieldChange] = []
        for path, wanted in norm.flatten(declared):
            if path in norm.SECRET_PATHS:
                continue
            if not norm.has(live, path):
                self.unreadable.add(f"{resource.partition(':')[0]}.{path}")
                continue
            now_live = norm.lookup(live, path)
            if record is not None and norm.has(applied, path):
                before = norm.lookup(applied, path)
                if not norm.equivalent(path, before, now_live):
                    changes.append(FieldChange(path, before, now_live))
                    norm.assign(applied, path, now_live)
            else:
                # Never applied: the live value, or the declared one if it is the same value.
                same = norm.equivalent(path, wanted, now_live)
                norm.assign(applied, path, wanted if same else now_live)
        if record is None:
            self._put(resource, Record(applied, self.at, LIVE_ANSWER))
            self.recorded.append(resource)
        elif applied != record.applied:
            self._put(resource, replace(record, applied=applied))
        if changes:
            self.drift.append(Drift(resource, tuple(sorted(changes))))

    def sequences(
        self,
        to_register: tuple[int | str, ...],
        default: int | str | None,
        live: tuple[Mapping[str, Any], ...],
    ) -> None:
        by_id = {int(s["id"]): s for s in live}
        for sequence_id in (ref for ref in to_register if isinstance(ref, int)):
            self.read += 1
            resource = res.registration_key(sequence_id)
            record = self.state.get(resource)
            sequence = by_id.get(sequence_id)
            registered = sequence is not None and norm.is_registered(sequence)
            if record is not None and not registered:
                change = FieldChange("registered", True, False)
                self.drift.append(Drift(resource, (change,), gone=sequence is None))
                self._drop(resource)
            elif record is None and sequence is not None and registered:
                answer = {**LIVE_ANSWER, "validation_codes": norm.validation_codes(sequence)}
                self._put(resource, Record({"registered": True}, self.at, answer))
                self.recorded.append(resource)
        if default is None:
            return
        self.read += 1
        live_default = norm.default_sequence(list(live))
        record = self.state.get(res.DEFAULT_SEQUENCE)
        if record is None:
            if live_default is not None:
                self._put(res.DEFAULT_SEQUENCE, Record({"id": live_default}, self.at, LIVE_ANSWER))
                self.recorded.append(res.DEFAULT_SEQUENCE)
            return
        before = record.applied.get("id")
        if before == live_default:
            return
        self.drift.append(Drift(res.DEFAULT_SEQUENCE, (FieldChange("id", before, live_default),)))
        if live_default is None:
            self._drop(res.DEFAULT_SEQUENCE)
        else:
            self._put(res.DEFAULT_SEQUENCE, replace(record, applied={"id": live_default}))
