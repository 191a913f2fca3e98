"""What a kind resolves with: resources the desired state names by their natural key (a
client's ``code``, a sequence's ``serie``) given their ids.

``core.references`` gathers, kind by kind, the natural keys known (the known state's records
and look-ups, then what ``workflows.resolve`` looked up on the live account) and hands each
kind a ``Resolving``; the kind fills in the ids in its part of the desired state, says which
resources are to be created, and adds a problem for each reference it can't resolve.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.desired.document import Desired
from reconciler.errors import Problem


@dataclass
class Resolving:
    """One kind's references being resolved: its natural keys → ids (``keys``), whether a
    resource of this kind found nowhere may be created (``allowed``: ``--create-missing`` or
    the kind's own option), and what the kind resolved so far."""

    desired: Desired
    keys: Mapping[str, int]
    allowed: bool
    update: dict[str, Any] = field(default_factory=dict)
    """Fields of ``DesiredState`` with the ids filled in (for ``model_copy``)."""
    to_create: list[str] = field(default_factory=list)
    """Natural keys of the resources to create: found nowhere, and creating allowed."""
    problems: list[Problem] = field(default_factory=list)
