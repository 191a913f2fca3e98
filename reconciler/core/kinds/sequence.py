"""Sequences: a kind with extra verbs. ``registration:<id>`` is a sequence registered with the
Tax Authority (``PUT /sequences/:id/register.json``, one-shot: never registered again once
recorded), ``default_sequence`` the account's default (``PUT /sequences/:id/set_current.json``).
Both are read from the one, unpaginated, ``GET /sequences.json``.

A serie named in the desired state that the account lacks (resolution left it a serie, and
creating is allowed) is created with ``POST /sequences.json`` (``new-sequence:<serie>``),
registered and made the default as declared, in that order: those calls name the new sequence
by a placeholder (``core.calls``) bound to its id once it exists. A creation on a Portuguese
account may register the series itself: the registration then reads the creation's answer and
is recorded without a call. After a lost answer, or "Serie has already been taken", the serie is
found in the list; the id is recorded as the serie's look-up (``lookup:serie:<serie>``).

A registration or a creation waits for the account's update (it carries the AT credentials),
and making a sequence the default waits for its registration when that is planned too.

On a refresh, a sequence recorded as registered that the live account shows unregistered
(``N/D``) is drift and its record is dropped, so the plan registers it again; one registered
live but not recorded is recorded (no call needed). A live default other than the recorded one
is drift.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from reconciler.core import normalize as norm
from reconciler.core.calls import Action, Call, InSync, Reason, placeholder
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
    from reconciler.errors import ApiError

DEFAULT = "default_sequence"
REGISTRATION = "registration"
CONVERGED_CODES = frozenset({"005", "008"})
"""A 409 saying the sequence is already registered: a registration whose answer was lost."""
AFTER = "account"
"""The kind whose update a registration waits for (it carries the AT credentials)."""
NEW = "new-sequence:"
"""The key of a sequence to create, by its serie: it has no id until the API gives it one."""
SERIE_LOOKUP = "lookup:serie:"
"""The record of a serie's id: found on the live account, or given when it was created."""
TAKEN = "has already been taken"


class SequenceKind(Kind):
    name = "sequence"
    create = Action("create", "sequence")
    register = Action("register", "sequence")
    set_default = Action("set default", "sequence")

    def __init__(self) -> None:
        # A creation runs with the registrations, before them (its sort keys are below 0).
        self.actions = MappingProxyType({self.create: 1, self.register: 1, self.set_default: 2})

    target_group = "sequences"
    target_literals = (DEFAULT,)
    target_prefixes = (REGISTRATION,)
    reading = Reading(
        "list",
        "sequences",
        item_key="sequence",
        listing="/sequences.json",
        list_key="sequences",
    )
    natural_key = "serie"
    lookup_prefix = SERIE_LOOKUP
    said_created = "serie {key!r} is not on the live account: it will be created"
    said_named = "serie {key!r} is sequence {id}"
    section = Section("sequences", "references", flow=frozenset({"register"}))

    def creation_key(self, serie: str) -> str:
        """The key of the creation of ``serie``: ``new-sequence:2027``."""
        return NEW + serie

    def owns(self, key: str) -> bool:
        return super().owns(key) or key.startswith(NEW)

    def describe(self, key: str) -> str:
        if key == DEFAULT:
            return "default sequence"
        if key.startswith(NEW):
            return f"sequence {key.removeprefix(NEW)!r}"
        return f"registration of sequence {key.removeprefix(REGISTRATION + ':')}"

    def plan(self, planning: Planning) -> None:
        sequences = planning.desired.state.sequences
        if sequences is None:
            return
        self._unresolved(planning, sequences)
        self._creations(planning, sequences)
        planned = self._registrations(planning, sequences)
        self._default(planning, sequences, planned)

    def _creatable(self, planning: Planning, ref: int | str | None) -> bool:
        return isinstance(ref, str) and self.creation_key(ref) in planning.creatable

    def _creations(self, planning: Planning, sequences: Sequences) -> None:
        refs: list[tuple[tuple[str | int, ...], int | str | None]]
        refs = [(("sequences", "default"), sequences.default)]
        refs += [(("sequences", "register", i), r) for i, r in enumerate(sequences.to_register)]
        planned: set[str] = set()
        for where, ref in refs:
            if not isinstance(ref, str) or not self._creatable(planning, ref) or ref in planned:
                continue
            planned.add(ref)
            resource = self.creation_key(ref)
            planning.calls.append(
                Call(
                    sort_key=(self.actions[self.create], len(planned) - len(refs) - 1),
                    action=self.create,
                    resource=resource,
                    target_id=0,
                    method="POST",
                    path="/sequences.json",
                    body={"sequence": {"serie": ref, "default_sequence": "0"}},
                    changes=(FieldChange("serie", None, ref),),
                    reason=Reason.NO_SEQUENCE_WITH_SERIE,
                    depends_on=planning.planned(AFTER),
                    record={"id": placeholder(resource)},
                    source=planning.where(where)(),
                )
            )

    def _unresolved(self, planning: Planning, sequences: Sequences) -> None:
        refs: list[tuple[tuple[str | int, ...], int | str | None]]
        refs = [(("sequences", "default"), sequences.default)]
        refs += [(("sequences", "register", i), r) for i, r in enumerate(sequences.to_register)]
        planning.problems.extend(
            problem_at(planning.desired, where, f"serie {ref!r} not resolved to a sequence id")
            for where, ref in refs
            if isinstance(ref, str) and not self._creatable(planning, ref)
        )

    def _registrations(self, planning: Planning, sequences: Sequences) -> set[str]:
        depends = planning.planned(AFTER)
        planned: set[str] = set()
        # Series were resolved to ids before planning, or are to be created (any other
        # unresolved one is a problem).
        for index, ref in enumerate(sequences.to_register):
            if not isinstance(ref, int) and not self._creatable(planning, ref):
                continue
            sequence_id, named, after = self._named(ref)
            resource = f"{REGISTRATION}:{named}"
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
                    path=f"/sequences/{named}/register.json",
                    body=None,
                    changes=(FieldChange("registered", False, True),),
                    reason=Reason.NOT_REGISTERED,
                    depends_on=depends + after,
                    record={"registered": True},
                    source=planning.where(("sequences", "register", index))(),
                )
            )
        return planned

    def _named(self, ref: int | str) -> tuple[int, str, tuple[str, ...]]:
        """A sequence as a call names it: its id (0 until created), its id or the placeholder
        of its creation in paths and keys, and the creation it waits for."""
        if isinstance(ref, int):
            return ref, str(ref), ()
        creation = self.creation_key(ref)
        return 0, placeholder(creation), (creation,)

    def _default(self, planning: Planning, sequences: Sequences, registering: set[str]) -> None:
        default = sequences.default
        if default is None or not (isinstance(default, int) or self._creatable(planning, default)):
            return
        record = planning.known.get(DEFAULT)
        before = record.applied.get("id") if record else None
        if before == default:
            planning.in_sync.append(InSync(DEFAULT, f"sequence {before} is the default"))
            return
        sequence_id, named, after = self._named(default)
        registration = f"{REGISTRATION}:{named}"
        planning.calls.append(
            Call(
                sort_key=(self.actions[self.set_default], sequence_id),
                action=self.set_default,
                resource=DEFAULT,
                target_id=sequence_id,
                method="PUT",
                path=f"/sequences/{named}/set_current.json",
                body=None,
                changes=(FieldChange("default", before, default),),
                reason=reason(record is not None),
                depends_on=(registration,) if registration in registering else after,
                record={"id": sequence_id or named},
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

    def may_create(self, state: DesiredState) -> bool:
        return state.options is not None and state.options.create_missing_series

    def resolve(self, resolving: Resolving) -> None:
        """Each serie takes its sequence's id; one the account lacks stays a serie, to be
        created, when creating is allowed, else it is a problem naming the series it has; a
        sequence listed twice for registration is a problem too."""
        desired = resolving.desired
        sequences = desired.state.sequences
        if sequences is None:
            return
        series = resolving.keys

        def one(ref: int | str, where: YamlPath) -> int | str | None:
            if isinstance(ref, int):
                return ref
            if ref in series:
                return series[ref]
            if resolving.allowed:
                if ref not in resolving.to_create:
                    resolving.to_create.append(ref)
                return ref
            resolving.problems.append(problem_at(desired, where, _no_serie(ref, series)))
            return None

        default = sequences.default
        chosen = one(default, ("sequences", "default")) if default is not None else None
        seen: dict[int | str, int] = {}
        register: list[int | str] = []
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
        if call.action == self.create:
            serie = call.resource.removeprefix(NEW)
            if any(s.get("serie") == serie for s in sequences):
                return []
            return [NotConverged(call, "serie", serie, None)]
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

    def finds_created(self, call: Call) -> str | None:
        return call.resource.removeprefix(NEW) if call.action == self.create else None

    def created_key(self, call: Call, answer: Any) -> str | None:
        if call.action != self.create:
            return None
        self._new_id(answer)
        return SERIE_LOOKUP + call.resource.removeprefix(NEW)

    def created_id(self, call: Call, answer: Any) -> int | None:
        return self._new_id(answer) if call.action == self.create else None

    def _new_id(self, answer: Any) -> int:
        view = answer.get("sequence") if isinstance(answer, Mapping) else None
        identifier = norm.as_decimal(str(view.get("id", ""))) if isinstance(view, Mapping) else None
        if identifier is None:
            raise ValueError("unexpected answer: no sequence id")
        return identifier

    def made_by_creation(self, call: Call, creation: Any) -> dict[str, Any] | None:
        """A registration the creation made: the sequence it answered is registered."""
        view = creation.get("sequence") if isinstance(creation, Mapping) else None
        if call.action != self.register or not isinstance(view, Mapping):
            return None
        if not norm.is_registered(view):
            return None
        return {"registered_on_creation": True, "validation_codes": norm.validation_codes(view)}

    def already_exists(self, call: Call, error: ApiError) -> bool:
        return call.action == self.create and error.status == 422 and TAKEN in error.message


def _no_serie(serie: str, series: Mapping[str, int]) -> str:
    known = ", ".join(sorted(series)) or "none"
    return (
        f"no sequence has serie '{serie}' (the account has {known}): name one of them, or allow "
        "creating it (--create-missing, or 'options: {create_missing_series: true}' in the file)"
    )


KIND = SequenceKind()
