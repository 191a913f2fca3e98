"""Sequences: a kind with extra verbs. ``registration:<id>`` is a sequence registered with the
Tax Authority (``PUT /sequences/:id/register.json``, one-shot: never registered again once
recorded), ``default_sequence`` the account's default (``PUT /sequences/:id/set_current.json``).
Both are read from the one, unpaginated, ``GET /sequences.json``.

A registration waits for the account's update (it carries the AT credentials), and making a
sequence the default waits for its registration when that is planned too. On a refresh, a
sequence recorded as registered that the live account shows unregistered (``N/D``) is drift and
its record is dropped, so the plan registers it again; one registered live but not recorded is
recorded (no call needed). A live default other than the recorded one is drift.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from reconciler.core import normalize as norm
from reconciler.core.calls import Action, Call, InSync, Reason
from reconciler.core.diff import FieldChange
from reconciler.core.kinds.base import Kind, ReadBack, Reading
from reconciler.core.kinds.folding import LIVE_ANSWER, Drift
from reconciler.core.kinds.planning import reason
from reconciler.core.kinds.sections import Section
from reconciler.core.known import Record
from reconciler.core.verification import NotConverged
from reconciler.desired.document import problem_at

if TYPE_CHECKING:
    from reconciler.core.kinds.base import Referenced, Refs
    from reconciler.core.kinds.folding import Folder
    from reconciler.core.kinds.planning import Planning
    from reconciler.core.kinds.resolving import Resolving
    from reconciler.core.live_state import LiveState
    from reconciler.core.secrets import DigestKey
    from reconciler.desired.loader import YamlPath
    from reconciler.desired.models import DesiredState, Sequences

DEFAULT = "default_sequence"
REGISTRATION = "registration"
CONVERGED_CODES = frozenset({"005", "008"})
"""A 409 saying the sequence is already registered: a registration whose answer was lost."""
AFTER = "account"
"""The kind whose update a registration waits for (it carries the AT credentials)."""


class SequenceKind(Kind):
    name = "sequence"
    register = Action("register", "sequence")
    set_default = Action("set default", "sequence")

    def __init__(self) -> None:
        self.actions = MappingProxyType({self.register: 1, self.set_default: 2})

    target_group = "sequences"
    target_literals = (DEFAULT,)
    target_prefixes = (REGISTRATION,)
    reading = Reading("list", "sequences", listing="/sequences.json", list_key="sequences")
    natural_key = "serie"
    lookup_prefix = "lookup:serie:"
    said_named = "serie {key!r} is sequence {id}"
    section = Section("sequences", "references", flow=frozenset({"register"}))

    def describe(self, key: str) -> str:
        if key == DEFAULT:
            return "default sequence"
        return f"registration of sequence {key.removeprefix(REGISTRATION + ':')}"

    def plan(self, planning: Planning) -> None:
        sequences = planning.desired.state.sequences
        if sequences is None:
            return
        self._unresolved(planning, sequences)
        planned = self._registrations(planning, sequences)
        self._default(planning, sequences, planned)

    def _unresolved(self, planning: Planning, sequences: Sequences) -> None:
        refs: list[tuple[tuple[str | int, ...], int | str | None]]
        refs = [(("sequences", "default"), sequences.default)]
        refs += [(("sequences", "register", i), r) for i, r in enumerate(sequences.to_register)]
        planning.problems.extend(
            problem_at(planning.desired, where, f"serie {ref!r} not resolved to a sequence id")
            for where, ref in refs
            if isinstance(ref, str)
        )

    def _registrations(self, planning: Planning, sequences: Sequences) -> set[str]:
        depends = planning.planned(AFTER)
        planned: set[str] = set()
        # Series were resolved to ids before planning (an unresolved one is a problem).
        for index, sequence_id in enumerate(sequences.to_register):
            if not isinstance(sequence_id, int):
                continue
            resource = f"{REGISTRATION}:{sequence_id}"
            record = planning.known.get(resource)
            if record is not None:
                why = f"registered with the Tax Authority ({record.applied_at})"
                planning.in_sync.append(InSync(resource, why))
                continue
            planned.add(resource)
            planning.calls.append(
                Call(
                    sort_key=(self.actions[self.register], sequence_id),
                    action=self.register,
                    resource=resource,
                    target_id=sequence_id,
                    method="PUT",
                    path=f"/sequences/{sequence_id}/register.json",
                    body=None,
                    changes=(FieldChange("registered", False, True),),
                    reason=Reason.NOT_REGISTERED,
                    depends_on=depends,
                    record={"registered": True},
                    source=planning.where(("sequences", "register", index))(),
                )
            )
        return planned

    def _default(self, planning: Planning, sequences: Sequences, registering: set[str]) -> None:
        default = sequences.default
        if not isinstance(default, int):
            return
        record = planning.known.get(DEFAULT)
        before = record.applied.get("id") if record else None
        if before == default:
            planning.in_sync.append(InSync(DEFAULT, f"sequence {before} is the default"))
            return
        registration = f"{REGISTRATION}:{default}"
        planning.calls.append(
            Call(
                sort_key=(self.actions[self.set_default], default),
                action=self.set_default,
                resource=DEFAULT,
                target_id=default,
                method="PUT",
                path=f"/sequences/{default}/set_current.json",
                body=None,
                changes=(FieldChange("default", before, default),),
                reason=reason(record is not None),
                depends_on=(registration,) if registration in registering else (),
                record={"id": default},
                source=planning.where(("sequences", "default"))(),
            )
        )

    def wanted(self, state: DesiredState) -> tuple[int, ...] | None:
        sequences = state.sequences
        if sequences is None or (sequences.default is None and not sequences.to_register):
            return None
        return ()

    def fold(self, folder: Folder, state: DesiredState, live: LiveState, key: DigestKey) -> None:
        listed = live.of("sequences")
        if state.sequences is None or listed is None:
            return
        self._fold_registrations(folder, state.sequences.to_register, listed)
        if state.sequences.default is not None:
            self._fold_default(folder, listed)

    def _fold_registrations(
        self,
        folder: Folder,
        to_register: tuple[int | str, ...],
        live: tuple[Mapping[str, Any], ...],
    ) -> None:
        by_id = {int(s["id"]): s for s in live}
        for sequence_id in (ref for ref in to_register if isinstance(ref, int)):
            folder.read += 1
            resource = f"{REGISTRATION}:{sequence_id}"
            record = folder.state.get(resource)
            sequence = by_id.get(sequence_id)
            registered = sequence is not None and norm.is_registered(sequence)
            if record is not None and not registered:
                change = FieldChange("registered", True, False)
                folder.drift.append(Drift(resource, (change,), gone=sequence is None))
                folder.drop(resource)
            elif record is None and sequence is not None and registered:
                answer = {**LIVE_ANSWER, "validation_codes": norm.validation_codes(sequence)}
                folder.put(resource, Record({"registered": True}, folder.at, answer))
                folder.recorded.append(resource)

    def _fold_default(self, folder: Folder, live: tuple[Mapping[str, Any], ...]) -> None:
        folder.read += 1
        live_default = norm.default_sequence(list(live))
        record = folder.state.get(DEFAULT)
        if record is None:
            if live_default is not None:
                folder.put(DEFAULT, Record({"id": live_default}, folder.at, LIVE_ANSWER))
                folder.recorded.append(DEFAULT)
            return
        before = record.applied.get("id")
        if before == live_default:
            return
        folder.drift.append(Drift(DEFAULT, (FieldChange("id", before, live_default),)))
        if live_default is None:
            folder.drop(DEFAULT)
        else:
            folder.put(DEFAULT, replace(record, applied={"id": live_default}))

    def referenced(self, live: LiveState) -> Referenced | None:
        """The default sequence and every registered one."""
        listed = live.of("sequences")
        if listed is None:
            return None
        registered = tuple(int(s["id"]) for s in listed if norm.is_registered(s))
        return {"default": norm.default_sequence(list(listed)), "register": registered}

    def declared_references(self, state: DesiredState) -> Refs | None:
        sequences = state.sequences
        if sequences is None:
            return None
        return {"default": sequences.default, "register": sequences.to_register}

    def named(self, state: DesiredState) -> list[str]:
        """The series named by ``sequences.default`` and ``sequences.register``."""
        sequences = state.sequences
        if sequences is None:
            return []
        return [ref for ref in (sequences.default, *sequences.to_register) if isinstance(ref, str)]

    def resolve(self, resolving: Resolving) -> None:
        """Each serie takes its sequence's id; one the account lacks is a problem naming the
        series it has, and a sequence listed twice for registration is one too."""
        desired = resolving.desired
        sequences = desired.state.sequences
        if sequences is None:
            return
        series = resolving.keys

        def one(ref: int | str, where: YamlPath) -> int | None:
            if isinstance(ref, int):
                return ref
            if ref in series:
                return series[ref]
            known = ", ".join(sorted(series)) or "none"
            message = f"no sequence has serie '{ref}' (the account has {known})"
            resolving.problems.append(problem_at(desired, where, message))
            return None

        default = sequences.default
        chosen = one(default, ("sequences", "default")) if default is not None else None
        seen: dict[int, int] = {}
        register: list[int] = []
        for index, ref in enumerate(sequences.to_register):
            where: YamlPath = ("sequences", "register", index)
            identifier = one(ref, where)
            if identifier is None:
                continue
            if identifier in seen:
                message = f"sequence {identifier} is listed more than once (as {ref!r} here)"
                resolving.problems.append(problem_at(desired, where, message))
                continue
            seen[identifier] = index
            register.append(identifier)
        update = {"default": chosen, "to_register": tuple(register)}
        resolving.update["sequences"] = sequences.model_copy(update=update)

    def read_back(self, call: Call) -> ReadBack:
        return ReadBack("list")

    def verified(self, call: Call, live: Any) -> list[NotConverged]:
        sequences = list(live) if isinstance(live, tuple | list) else []
        if call.action == self.register:
            sequence = next((s for s in sequences if int(s["id"]) == call.target_id), None)
            registered = sequence is not None and norm.is_registered(sequence)
            return [] if registered else [NotConverged(call, "registered", True, False)]
        live_default = norm.default_sequence(sequences)
        if live_default == call.target_id:
            return []
        return [NotConverged(call, "default", call.target_id, live_default)]

    def answer_kept(self, call: Call, answer: Any) -> dict[str, Any] | None:
        """A registration's validation codes."""
        if call.action != self.register or not isinstance(answer, Mapping):
            return None
        sequences = answer.get("sequences")
        if (
            not isinstance(sequences, list)
            or not sequences
            or not isinstance(sequences[0], Mapping)
        ):
            return None
        return {"validation_codes": norm.validation_codes(sequences[0])}

    def converged_conflicts(self, call: Call) -> frozenset[str]:
        return CONVERGED_CODES if call.action == self.register else frozenset()


KIND = SequenceKind()
