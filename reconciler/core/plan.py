"""The plan: the ordered API calls that bring the account from its known to its desired state.

A plan only holds data. Calls are frozen value objects (``core.calls``) sorted once, by phase
and then by the id of what they concern; each kind (``core.kinds``) plans its own calls, with
their phases and the resources they depend on (the account update, which carries the AT
credentials, comes before any registration, a registration before making the same sequence
the default, and clients are independent of everything).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from operator import attrgetter

from reconciler.core.calls import Action, Call, InSync, Reason, Source
from reconciler.core.kinds import registry
from reconciler.core.kinds.planning import Planning
from reconciler.core.known import KnownState
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import Desired
from reconciler.errors import ValidationFailed

_ORDER = attrgetter("sort_key")
"""A call's place in the plan: what its ``<`` compares (``Call`` orders by it alone), read in C."""

__all__ = ["Action", "Call", "InSync", "Plan", "Reason", "Source", "build_plan"]


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
        return {action: counted[action] for action in registry.actions() if counted[action]}


def build_plan(
    desired: Desired, known: KnownState, key: DigestKey, *, creatable: frozenset[str] = frozenset()
) -> Plan:
    """Compare desired and known per resource; raise ValidationFailed on impossible changes.

    Clients and sequences must be resolved to ids first (``reconciler.workflows.resolve``); a client
    without id is created only when its code is in ``creatable``, a serie the account lacks only
    when ``new-sequence:<serie>`` is.
    """
    secrets_comparable = known.key_id in (None, key.key_id)
    planning = Planning(desired, known, key, creatable, secrets_comparable)
    for kind in registry.KINDS:
        kind.plan(planning)
    if planning.problems:
        raise ValidationFailed(planning.problems)
    declared = {call.resource for call in planning.calls}
    declared |= {item.resource for item in planning.in_sync}
    unmanaged = tuple(
        sorted(k for k in known.resources if k not in declared and registry.is_resource(k))
    )
    return Plan(
        tuple(sorted(planning.calls, key=_ORDER)),
        tuple(planning.in_sync),
        known.lineage,
        known.serial,
        key.key_id,
        unmanaged,
    )
