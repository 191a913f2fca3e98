"""Adding a state backend is its module and one registration: a backend defined here (the
known state kept in this process's memory, with a lock) is registered in the table, and plan,
apply (against the sandbox over HTTP), force-unlock and ``state move`` use it through its
URL with nothing else changed."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from reconciler.core.known import KnownState
from reconciler.errors import LockHeld, LockLost, StateFileError
from reconciler.sandbox import Sandbox
from reconciler.storage import backends
from reconciler.storage.backend import Kind, Place
from reconciler.storage.lock import Owner
from reconciler.storage.state_file import StateStore
from tests.support.cli_process import API_KEY, environment, run_cli
from tests.support.many_clients import Fleet


@dataclass
class Shelf:
    """The known states kept in memory, by (name, account), and their locks."""

    states: dict[tuple[str, str], KnownState] = field(default_factory=dict)
    locks: dict[tuple[str, str], threading.Lock] = field(default_factory=dict)
    writes: list[tuple[str, bool]] = field(default_factory=list)
    """Each write (``append``, ``save``), and whether the lock was held then."""

    def lock(self, key: tuple[str, str]) -> threading.Lock:
        return self.locks.setdefault(key, threading.Lock())


SHELF = Shelf()


class MemoryStore:
    """One account's known state on the shelf (a ``StateBackend``)."""

    def __init__(self, key: tuple[str, str]) -> None:
        self.key = key

    @property
    def successes_kept(self) -> str:
        return f"memory:{self.key[0]}"

    def exists(self) -> bool:
        return self.key in SHELF.states

    def load(self) -> KnownState:
        return SHELF.states.get(self.key, KnownState.new())

    def append(self, state: KnownState, key: str) -> None:
        self.append_all([(state, key)])

    def append_all(self, successes: Sequence[tuple[KnownState, str]]) -> None:
        if successes:
            self._write("append", successes[-1][0])

    def save(self, state: KnownState) -> None:
        kept = SHELF.states.get(self.key)
        if kept is not None and kept.lineage != state.lineage:
            raise StateFileError(f"memory:{self.key[0]}: holds another history")
        self._write("save", state)

    def settle(self, state: KnownState) -> None:
        """Nothing is ever left outside the state."""

    def prove_lock(self) -> None:
        if not SHELF.lock(self.key).locked():
            raise LockLost(f"memory:{self.key[0]}", "the lock is not held")

    def close(self) -> None:
        """Nothing held open."""

    def _write(self, what: str, state: KnownState) -> None:
        SHELF.writes.append((what, SHELF.lock(self.key).locked()))
        SHELF.states[self.key] = state


class MemoryBackend:
    """The known state of one account on the shelf, under its lock (a ``Backend``)."""

    def __init__(self, name: str, account: str) -> None:
        self.key = (name, account)

    @property
    def where(self) -> str:
        return f"memory:{self.key[0]} (account {self.key[1]!r})"

    @property
    def lock_where(self) -> str:
        return self.where

    @property
    def backup(self) -> str | None:
        return None

    def store(self) -> MemoryStore:
        return MemoryStore(self.key)

    def files(self) -> dict[Path, str]:
        return {}

    @contextlib.contextmanager
    def locked(self, command: str, timeout: float) -> Iterator[Owner | None]:
        lock = SHELF.lock(self.key)
        if not lock.acquire(timeout=timeout if timeout > 0 else -1, blocking=timeout > 0):
            raise LockHeld(f"{self.where}: another run holds the lock")
        try:
            yield None
        finally:
            lock.release()

    @contextlib.contextmanager
    def claimed(self, command: str) -> Iterator[bool]:
        with self.locked(command, 0.0):
            yield True

    def force_unlock(self) -> str:
        if SHELF.lock(self.key).locked():
            raise LockHeld(f"{self.where}: a run holds the lock")
        return f"{self.where}: no run holds the lock; nothing to do"

    def retire(self) -> str:
        del SHELF.states[self.key]
        return f"{self.where}: taken off the shelf"

    def retired(self) -> str | None:
        return None


def open_memory(location: str | None, place: Place) -> MemoryBackend:
    assert location is not None
    return MemoryBackend(location.removeprefix("memory://"), place.account)


MEMORY = Kind(schemes=("memory",), shown="a memory:// name", open=open_memory)


@pytest.fixture
def memory_backend() -> Iterator[Shelf]:
    """The memory backend registered in the table while the test runs."""
    backends.register(MEMORY)
    SHELF.states.clear()
    SHELF.writes.clear()
    try:
        yield SHELF
    finally:
        backends.unregister(MEMORY)


def test_a_registered_backend_is_used_by_plan_apply_and_state_move(
    tmp_path: Path, memory_backend: Shelf
) -> None:
    fleet = Fleet(tmp_path, 3).write()
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    kept = ("acme", "state")
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url)
        url = ["--state-url", "memory://acme"]
        applied = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve", *url], env)
        assert applied.exit_code == 0, applied.output
        assert len(sandbox.requests) > 0
        recorded = memory_backend.states[kept]
        assert len(recorded.resources) >= 3, recorded.resources
        assert memory_backend.writes and all(held for _, held in memory_backend.writes)
        assert not fleet.state_file.exists(), "nothing is kept in the file"

        plan = ["plan", "-f", str(fleet.desired), "--detailed-exitcode"]
        replanned = run_cli([*plan, *url], env)
        assert replanned.exit_code == 0 and "No changes" in replanned.stdout, replanned.output
        unlock = run_cli(["force-unlock", "-f", str(fleet.desired), *url], env)
        assert unlock.exit_code == 0 and "memory:acme" in unlock.stdout, unlock.output

        with memory_backend.lock(kept):  # another run holds the lock
            held = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve", *url], env)
        assert held.exit_code == 1 and "another run holds the lock" in held.stderr, held.output

        move = ["state", "move", "-f", str(fleet.desired)]
        to_file = run_cli([*move, *url, "--to", "file"], env)
        assert to_file.exit_code == 0, to_file.output
        assert "taken off the shelf" in to_file.stdout
        assert kept not in memory_backend.states
        assert StateStore(fleet.state_file).load() == recorded

        to_memory = run_cli([*move, "--to", "memory://other"], env)
        assert to_memory.exit_code == 0, to_memory.output
        assert memory_backend.states[("other", "state")] == recorded
        assert not fleet.state_file.exists()
        moved = run_cli([*plan, "--state-url", "memory://other"], env)
        assert moved.exit_code == 0 and "No changes" in moved.stdout, moved.output


def test_an_unregistered_backend_is_refused_naming_those_registered(
    tmp_path: Path, memory_backend: Shelf
) -> None:
    fleet = Fleet(tmp_path, 1).write()
    env = environment("http://127.0.0.1:9")
    known = run_cli(["plan", "-f", str(fleet.desired), "--state-url", "nowhere://x"], env)
    assert known.exit_code == 1, known.output
    assert "memory:" in known.stderr and "a memory:// name" in known.stderr, known.stderr
    backends.unregister(MEMORY)
    gone = run_cli(["plan", "-f", str(fleet.desired), "--state-url", "memory://acme"], env)
    assert gone.exit_code == 1, gone.output
    assert "(known schemes: file:, postgresql:, postgres:)" in gone.stderr, gone.stderr
