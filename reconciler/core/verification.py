"""Read-back verification as data: the fields an apply sent that the live account does not hold.

Values are compared in the declared form, with ``normalize.equivalent`` absorbing harmless
rewrites (surrounding whitespace, the letter case of emails). Secrets can't be read back and
are not compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.core import normalize as norm
from reconciler.core.calls import Call
from reconciler.core.secrets import is_digest

NOT_FOUND = "(not found)"


@dataclass(frozen=True)
class NotConverged:
    """One declared field the live account does not show as it was sent."""

    call: Call
    field: str
    sent: Any
    live: Any


@dataclass(frozen=True)
class Verification:
    """How many succeeded calls were read back, and every field that did not converge."""

    checked: int
    not_converged: tuple[NotConverged, ...]

    @property
    def ok(self) -> bool:
        return not self.not_converged


def compare(call: Call, sent: Mapping[str, Any], live: Mapping[str, Any]) -> list[NotConverged]:
    """The declared, non-secret fields of ``sent`` that ``live`` does not hold."""
    out = []
    for path, value in norm.flatten(sent):
        if path in norm.SECRET_PATHS or is_digest(value) or not norm.has(live, path):
            continue  # secrets, and fields the answer does not carry, can't be read back
        shown = norm.lookup(live, path)
        if not norm.equivalent(path, value, shown):
            out.append(NotConverged(call, path, value, shown))
    return out
