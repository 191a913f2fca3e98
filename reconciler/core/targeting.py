"""Targeting: limit a plan to some resources (``--target client:42``, ``account``, ``sequences``).

The forms a target takes come from the kinds (``core.kinds``): a kind's group name, its keys
without an id, and ``<prefix>:<id>``. A target must name something the desired state declares.
A targeted call whose dependency also has a call pending keeps that call too (as terraform
does), and the caller is told which were pulled in; a dependency that needs no call is simply
left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from reconciler.core.kinds import registry
from reconciler.core.plan import Plan
from reconciler.desired.loader.source import shorten
from reconciler.errors import TargetError

_ID = "[1-9][0-9]{0,18}"


def forms() -> str:
    """Every form ``--target`` takes, as its error message lists them."""
    return ", ".join(registry.target_forms())


@dataclass(frozen=True)
class Target:
    """One ``--target``: a group name or an exact resource key."""

    text: str

    def matches(self, resource: str) -> bool:
        for kind in registry.KINDS:
            if self.text == kind.target_group:
                return kind.owns(resource)
        return resource == self.text


@dataclass(frozen=True)
class Targeted:
    """A plan limited to some targets, and the dependencies that were pulled in with them."""

    plan: Plan
    pulled_in: tuple[str, ...]


def parse_target(text: str) -> Target:
    """A target from its command-line form; TargetError naming the valid forms otherwise."""
    cleaned = text.strip().lower()
    exact = {k.target_group for k in registry.KINDS if k.target_group}
    exact |= {key for k in registry.KINDS for key in k.target_literals}
    prefixes = "|".join(re.escape(p) for k in registry.KINDS for p in k.target_prefixes)
    if cleaned in exact or (prefixes and re.fullmatch(f"({prefixes}):{_ID}", cleaned)):
        return Target(cleaned)
    shown = shorten(text)
    raise TargetError(f"unknown target {shown!r}: use {forms()} (repeat --target for several)")


def select(plan: Plan, targets: Iterable[Target]) -> Targeted:
    """The plan limited to what the targets name (plus pending dependencies of what they name)."""
    wanted = tuple(targets)
    if not wanted:
        return Targeted(plan, ())
    declared = [call.resource for call in plan.calls] + [item.resource for item in plan.in_sync]
    declared += plan.unmanaged
    for target in wanted:
        if not any(target.matches(resource) for resource in declared):
            raise TargetError(f"target {target.text!r} matches nothing the desired state declares")
    chosen = {c.resource for c in plan.calls if any(t.matches(c.resource) for t in wanted)}
    planned = {call.resource: call for call in plan.calls}
    pulled_in: list[str] = []
    pending = list(chosen)
    while pending:
        for dependency in planned[pending.pop()].depends_on:
            if dependency in planned and dependency not in chosen:
                chosen.add(dependency)
                pulled_in.append(dependency)
                pending.append(dependency)
    limited = replace(
        plan,
        calls=tuple(call for call in plan.calls if call.resource in chosen),
        in_sync=tuple(i for i in plan.in_sync if any(t.matches(i.resource) for t in wanted)),
        unmanaged=tuple(r for r in plan.unmanaged if any(t.matches(r) for t in wanted)),
    )
    return Targeted(limited, tuple(sorted(pulled_in)))
