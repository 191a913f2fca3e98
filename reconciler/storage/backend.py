"""What a known-state store offers, whatever keeps it (a file with a journal, or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from reconciler.core.known import KnownState


class StateBackend(Protocol):
    """Loads, records and saves the known state of one account."""

    @property
    def successes_kept(self) -> str:
        """Where recorded successes are kept until the next save, as a message names it."""

    def exists(self) -> bool:
        """Whether anything was ever recorded."""

    def load(self) -> KnownState:
        """The known state, with every recorded success in it."""

    def append(self, state: KnownState, key: str) -> None:
        """Record durably the success that produced ``state`` (its record under ``key``)."""

    def append_all(self, successes: Sequence[tuple[KnownState, str]]) -> None:
        """Record durably, together and in order, several successes (state produced, key);
        all or none of them. Called from a worker thread, one call at a time."""

    def save(self, state: KnownState) -> None:
        """Store the whole state; refuse one from another history or older than what is kept."""

    def settle(self, state: KnownState) -> None:
        """Fold successes left by an interrupted run into the stored state."""

    def prove_lock(self) -> None:
        """``LockLost`` unless this run still holds the known-state lock; called before each
        batch of calls, so it must cost no more than one round trip."""

    def close(self) -> None:
        """Let go of what the store holds open (a database connection of its own); it opens
        again if used afterwards."""
