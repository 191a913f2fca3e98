"""The safety guard: a plan that changes too much at once, or the account's fiscal data, needs
``--force``.

Two rules, both over resources already under management (with a known-state record), so a
first apply is never a "mass change":

- updating more than ``max_fraction`` of the managed clients, once at least ``MIN_MANAGED``
  are managed (below that a fraction means little; octoDNS uses the same floor);
- any change of the account's fiscal data (``FISCAL_FIELDS``): the taxpayer's identity that
  every document issued from then on carries.
"""

from __future__ import annotations

from reconciler.core import resources as res
from reconciler.core.known import KnownState
from reconciler.core.plan import Action, Plan
from reconciler.errors import UnsafePlan

DEFAULT_MAX_FRACTION = 0.3
MIN_MANAGED = 10
FISCAL_FIELDS = frozenset({"fiscal_id", "tax_country", "organization_name"})
_PROCEED = "review the plan, then re-run with --force to apply it anyway"


def unsafe_reasons(
    plan: Plan, known: KnownState, *, max_fraction: float = DEFAULT_MAX_FRACTION
) -> list[str]:
    """Why the guard refuses the plan; empty when it is safe."""
    reasons: list[str] = []
    managed = sum(1 for key in known.resources if key.startswith(res.CLIENT_PREFIX))
    updated = sum(
        1
        for call in plan.calls
        if call.action is Action.UPDATE_CLIENT and known.get(call.resource) is not None
    )
    # A ratio of two whole numbers, not a product: 0.7 * 90 is 62.99999999999999, 63 / 90 is 0.7.
    if managed >= MIN_MANAGED and updated / managed > max_fraction:
        reasons.append(
            f"it updates {updated} of the {managed} clients under management "
            f"({updated / managed:.0%}, more than the {max_fraction:.0%} allowed)"
        )
    for call in plan.calls:
        if call.action is not Action.UPDATE_ACCOUNT or known.get(call.resource) is None:
            continue
        fiscal = sorted({c.path for c in call.changes} & FISCAL_FIELDS)
        if fiscal:
            reasons.append(f"it changes the fiscal data of {call.resource} ({', '.join(fiscal)})")
    return reasons


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
