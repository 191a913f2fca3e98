"""What a kind plans with: the inputs of a plan and the calls, resources in sync and problems
gathered so far, with the one way an update by id is planned."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.core.calls import Action, Call, InSync, Reason, Source, new_call
from reconciler.core.diff import diff_fields
from reconciler.core.known import KnownState
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import Desired
from reconciler.desired.loader import YamlPath
from reconciler.errors import Problem

IN_SYNC = "declared fields match what was last applied"


@dataclass
class Planning:
    """One plan being built: its inputs, and what the kinds planned so far (in phase order)."""

    desired: Desired
    known: KnownState
    key: DigestKey
    creatable: frozenset[str]
    secrets_comparable: bool
    calls: list[Call] = field(default_factory=list)
    in_sync: list[InSync] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def where(self, path: YamlPath) -> Callable[[], Source]:
        """Where ``path`` was declared, looked up only when called: only for a call that is
        made (most resources of a big plan are in sync)."""
        file, spot = self.desired.file, self.desired.source.spot

        def source() -> Source:
            return Source(file, *spot(path))

        return source

    def planned(self, kind: str) -> tuple[str, ...]:
        """The resources of the calls planned so far for ``kind``."""
        return tuple(call.resource for call in self.calls if call.action.kind == kind)

    def collect(self, call: Call | None, resource: str) -> None:
        """A call, or ``resource`` in sync when there is none."""
        if call is None:
            self.in_sync.append(InSync(resource, IN_SYNC))
        else:
            self.calls.append(call)

    def settled(self, resource: str, declared: dict[str, Any]) -> bool:
        """Whether ``resource`` was last applied exactly as ``declared`` (with secrets
        comparable): in sync, as ``update`` would find it, without a diff. It is then collected
        as in sync."""
        record = self.known.resources.get(resource)  # ``known.get``, read in place
        if record is None or not self.secrets_comparable:
            return False
        if record.applied == declared:  # as diff_fields asks first
            self.in_sync.append(InSync(resource, IN_SYNC))
            return True
        return False

    def update(
        self,
        action: Action,
        phase: int,
        resource: str,
        target_id: int,
        path: str,
        body: Callable[[], Mapping[str, Any]],
        declared: dict[str, Any],
        where: Callable[[], Source],
    ) -> Call | None:
        """A PUT of every declared field, or None when nothing declared differs from the record.

        The body and the source are made only for a call that is needed: most resources of a
        big plan are in sync.
        """
        record = self.known.resources.get(resource)  # ``known.get``, read in place
        changes = diff_fields(
            record.applied if record else None,
            declared,
            secrets_comparable=self.secrets_comparable,
        )
        if record is not None and not changes:
            return None
        return new_call(
            (phase, target_id),
            action,
            resource,
            target_id,
            "PUT",
            path,
            body(),
            changes,
            reason(record is not None),
            (),
            declared,
            where(),
        )


def reason(record_exists: bool) -> Reason:
    """Why a call on a resource is needed: changed since applied, or never applied."""
    return Reason.CHANGED if record_exists else Reason.NEVER_APPLIED
