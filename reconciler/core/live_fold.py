"""Refresh: read the declared resources from the live account and fold them into the known state.

*Drift* is a declared field whose live value differs from what was last applied (or a resource
gone from the live account). Folding writes the live value into the record, so the next plan
proposes exactly the calls that bring the live account back to the desired state. A field
never applied takes its live value without counting as drift, and a declared resource never
applied gets a record from the live account (so one that already matches needs no call).

Secrets can't be read back (the API never shows a password): they are neither compared nor
folded, and the record keeps their digest.

Each kind folds its own resources (``core.kinds``); a kind updated by id folds field by field
(``core.kinds.folding``), and sequences say what drift is for a registration and the default.
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.core.kinds import registry
from reconciler.core.kinds.base import Kind
from reconciler.core.kinds.folding import LIVE_ANSWER, Drift, Folder
from reconciler.core.known import KnownState
from reconciler.core.live_state import LiveState
from reconciler.core.secrets import DigestKey
from reconciler.desired.models import DesiredState

__all__ = ["LIVE_ANSWER", "Drift", "Refreshed", "fold"]


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
    """Fold what the live account shows for every declared resource into the known state: the
    kinds read resource by resource first, then those read as a whole list. A resource
    recorded for the first time is stamped ``at`` (when the live values were read)."""
    folder = Folder(known, at)
    for kind in sorted(registry.KINDS, key=_listed_last):
        kind.fold(folder, state, live, key)
    secrets = [path for kind in registry.KINDS for path in kind.unchecked_secrets(state)]
    return Refreshed(
        folder.state,
        tuple(folder.drift),
        tuple(folder.recorded),
        tuple(secrets),
        folder.read,
        tuple(sorted(folder.unreadable)),
    )


def _listed_last(kind: Kind) -> bool:
    return kind.reading is not None and kind.reading.mode == "list"
