"""The safety guard: a plan that changes too much at once, or protected fields, needs
``--force``.

Two rules, both over resources already under management (with a known-state record), so a
first apply is never a "mass change"; each kind says which apply to it (``core.kinds``):

- updating more than ``max_fraction`` of the managed resources of a kind with a mass-update
  rule (clients), once at least ``MIN_MANAGED`` are managed (below that a fraction means
  little; octoDNS uses the same floor);
- any change of a kind's protected fields (the account's fiscal data: the taxpayer's identity
  that every document issued from then on carries).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from itertools import repeat

from reconciler.core.calls import Action, Call
from reconciler.core.kinds import registry
from reconciler.core.kinds.base import Kind
from reconciler.core.known import KnownState
from reconciler.core.plan import Plan
from reconciler.errors import UnsafePlan

DEFAULT_MAX_FRACTION = 0.3
MIN_MANAGED = 10
_PROCEED = "review the plan, then re-run with --force to apply it anyway"


def unsafe_reasons(
    plan: Plan, known: KnownState, *, max_fraction: float = DEFAULT_MAX_FRACTION
) -> list[str]:
    """Why the guard refuses the plan; empty when it is safe."""
    reasons: list[str] = []
    for kind in registry.KINDS:
        reasons += _mass_update(kind, plan, known, max_fraction)
    for kind in registry.KINDS:
        reasons += _protected(kind, plan, known)
    return reasons


def _mass_update(kind: Kind, plan: Plan, known: KnownState, max_fraction: float) -> list[str]:
    rule = kind.mass_update
    if rule is None:
        return []
    managed = _managed(kind, known)
    recorded = known.resources
    updated = sum(
        1 for call in _of_actions(plan, (rule.action,)) if recorded.get(call.resource) is not None
    )
    # A ratio of two whole numbers, not a product: 0.7 * 90 is 62.99999999999999, 63 / 90 is 0.7.
    if managed >= MIN_MANAGED and updated / managed > max_fraction:
        return [
            f"it updates {updated} of the {managed} {rule.noun} under management "
            f"({updated / managed:.0%}, more than the {max_fraction:.0%} allowed)"
        ]
    return []


def _managed(kind: Kind, known: KnownState) -> int:
    """How many of the known state's resources ``kind`` owns: counted in C for a kind that
    owns its literal keys and those starting with its prefixes (``Kind.owns``)."""
    if type(kind).owns is not Kind.owns:
        return sum(map(kind.owns, known.resources))
    prefixes = kind.key_prefixes
    by_prefix = sum(map(str.startswith, known.resources, repeat(prefixes)))
    literals = {key for key in kind.target_literals if not key.startswith(prefixes)}
    return by_prefix + sum(key in known.resources for key in literals)


def _protected(kind: Kind, plan: Plan, known: KnownState) -> list[str]:
    if not kind.protected_fields:
        return []
    reasons = []
    recorded = known.resources
    for call in _of_actions(plan, kind.actions):
        if recorded.get(call.resource) is None:
            continue
        changed = sorted({c.path for c in call.changes} & kind.protected_fields)
        if changed:
            reasons.append(
                f"it changes the {kind.protected_what} of {call.resource} ({', '.join(changed)})"
            )
    return reasons


def _of_actions(plan: Plan, actions: Collection[Action]) -> Iterator[Call]:
    """The plan's calls whose action is one of ``actions``, in order; each distinct action
    object is compared once (a plan's calls share a few), not each call's."""
    mine: dict[int, bool] = {}
    for call in plan.calls:
        action = call.action
        found = mine.get(id(action))
        if found is None:
            found = mine[id(action)] = action in actions
        if found:
            yield call


def check_plan_is_safe(
    plan: Plan, known: KnownState, *, max_fraction: float = DEFAULT_MAX_FRACTION
) -> None:
    """Raise UnsafePlan, saying why and how to proceed, when the guard refuses the plan."""
    reasons = unsafe_reasons(plan, known, max_fraction=max_fraction)
    if reasons:
        raise UnsafePlan(
            "refusing to apply: " + "; ".join(reasons) + f". Nothing was applied; {_PROCEED} "
            "(or limit it with --target, or raise RECONCILER_MAX_CHANGE_FRACTION)."
        )
