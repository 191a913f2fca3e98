"""What a state backend offers, whatever keeps it (a file with a journal, PostgreSQL): a store
(``StateBackend``), and the store with its lock (``Backend``), registered as a ``Kind``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from reconciler.core.known import KnownState

if TYPE_CHECKING:
    from reconciler.storage.lock import Owner


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
        batch of calls, so it must cost no more than one round trip. A store whose lock the
        operating system holds until the process ends sets ``lock_held_by_process = True``
        and is never asked."""

    def close(self) -> None:
        """Let go of what the store holds open (a database connection of its own); it opens
        again if used afterwards."""


class Backend(Protocol):
    """A known state's store and its lock, and what the commands need of them (Terraform's
    ``statemgr.Full``: storage and locker). ``backends.open_backend`` opens one by the state
    URL's scheme."""

    @property
    def where(self) -> str:
        """The known state as messages name it (never with a password)."""

    @property
    def lock_where(self) -> str:
        """The lock as ``force-unlock`` names it."""

    @property
    def backup(self) -> str | None:
        """Where a save keeps the previous known state (``state rm`` says so), if anywhere."""

    def store(self) -> StateBackend:
        """The known state's store."""

    def files(self) -> dict[Path, str]:
        """The files the backend keeps on this machine, each with what it is (a saved plan
        is never written over one)."""

    def locked(self, command: str, timeout: float) -> AbstractContextManager[Owner | None]:
        """Hold the lock while the block runs, ``command`` recorded as its owner; yields the
        owner of a lock left behind by a run that died, when known. Successes an interrupted
        run left outside the stored state are folded in first. ``LockHeld`` naming the holder
        when another run holds it, at once or after waiting ``timeout`` seconds."""

    def claimed(self, command: str) -> AbstractContextManager[bool]:
        """Try the lock once, never waiting: the block runs with ``True`` holding it, or with
        ``False`` when another run holds it; ``locked`` in the block runs under this hold
        (``--shard auto``)."""

    def force_unlock(self) -> str:
        """Remove a lock whose holder is gone, or say who holds it; says what was done."""

    def retire(self) -> str:
        """Take away what the store holds, once a move copied it elsewhere; says what became
        of it."""

    def retired(self) -> str | None:
        """What a move away left here (a file renamed aside), if anything: a run must not
        start a new history in its place."""


@dataclass(frozen=True)
class Place:
    """What a backend is opened for: the account (its name in a store shared by accounts),
    its default known-state file, and how to read the seconds a server may take to open a
    connection (called only by a backend that connects; ``None``: the backend's default)."""

    account: str
    file: Path
    connect_timeout: Callable[[], float] | None = field(default=None, compare=False)


def _no_check(location: str) -> None:
    """Every location of the scheme is usable as written."""


def _as_written(location: str) -> str:
    return location


def _no_secrets(location: str) -> set[str]:
    return set()


@dataclass(frozen=True)
class Kind:
    """One kind of backend as the table (``backends``) registers it.

    ``schemes``: the URL schemes naming it. ``shown``: how a refusal names its locations
    (``a postgresql:// URL``). ``open``: the backend at a location (``None``: the target's
    default file; only the default kind is opened so). ``check``: ``SettingsError`` for a
    location it can't use, never showing a secret. ``public``: the location without its
    secrets, as a saved plan records it. ``secrets``: every spelling of the secrets a location
    holds, redacted from all output. ``reach``: open and close one connection
    (``DatabaseUnreachable``), before a fleet starts. ``shared``: runners on other machines
    share accounts through its locks (``--shard auto``). ``during_fleet``: held open while a
    fleet runs (connections kept for reading), given the accounts worked on at once."""

    schemes: tuple[str, ...]
    shown: str
    open: Callable[[str | None, Place], Backend]
    check: Callable[[str], None] = _no_check
    public: Callable[[str], str] = _as_written
    secrets: Callable[[str], set[str]] = _no_secrets
    reach: Callable[[str, float | None], None] | None = None
    shared: bool = False
    during_fleet: Callable[[int], AbstractContextManager[object]] | None = field(
        default=None, compare=False
    )
