"""One apply at a time per known-state file: an OS-level file lock plus a record of its owner.

The lock is ``<state>.lock``, taken with ``filelock`` without waiting: a second apply fails at
once, naming the holder from ``<state>.lock.info`` (pid, host, start time, command). The kernel
releases an OS-level lock when its process dies, however it dies; the owner record it leaves
behind tells the next apply that the previous one was killed. On a filesystem without
``flock`` the lock is a plain marker file (``SoftFileLock``) that a killed process leaves in
place: it is broken when its recorded owner ran on this host and is gone, and
``reconciler force-unlock`` exists for the rest.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.clock import now
from reconciler.errors import LockHeld, StateWriteError
from reconciler.fileio import UnreadableFile, check_regular, parse_json, read_regular
from reconciler.storage.files import FILE_MODE, make_folder, write_atomically, writing

if TYPE_CHECKING:  # imported where a lock is taken: a plan that takes none never loads it
    from filelock import BaseFileLock

_MAX_OWNER_BYTES = 64 * 1024


@dataclass(frozen=True)
class Owner:
    """Who holds (or last held) a lock."""

    pid: int
    host: str
    started: str
    command: str

    @classmethod
    def me(cls, command: str) -> Owner:
        return cls(pid=os.getpid(), host=socket.gethostname(), started=now(), command=command)

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}, started {self.started} ({self.command})"

    def is_gone(self) -> bool:
        """Whether the owner process is known to have ended (only knowable on this host)."""
        if self.host != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False  # alive, owned by another user
        return False


class StateLock:
    """The lock of one known-state file."""

    def __init__(self, state_path: Path, *, soft: bool = False) -> None:
        self.lock_path = state_path.with_name(state_path.name + ".lock")
        self.info_path = state_path.with_name(state_path.name + ".lock.info")
        self._soft = soft
        self._timeout = 0.0

    @contextlib.contextmanager
    def held(self, command: str, timeout: float = 0.0) -> Iterator[Owner | None]:
        """Hold the lock; yields the owner of a lock left behind by a dead process, if any.

        Raises ``LockHeld``, naming the holder, when another process holds it: at once, or
        after waiting ``timeout`` seconds for it.
        """
        self._timeout = max(timeout, 0.0)
        make_folder(self.lock_path.parent)
        for path in (self.lock_path, self.info_path):
            try:
                check_regular(path)
            except UnreadableFile as exc:
                raise StateWriteError(str(path), str(exc)) from None
        with writing(self.lock_path):
            lock = self._acquire()
        try:
            left_behind = self._read_owner()  # we hold the lock: any record is a leftover
            write_atomically(self.info_path, json.dumps(asdict(Owner.me(command))) + "\n")
            try:
                yield left_behind
            finally:
                self.info_path.unlink(missing_ok=True)
        finally:
            lock.release()

    def force_unlock(self) -> str:
        """Remove a lock whose holder is gone; says what was done. ``LockHeld`` if it is alive."""
        from filelock import Timeout

        owner = self._read_owner()
        if not self._soft:
            try:
                with self._file_lock().acquire(timeout=0):
                    self.info_path.unlink(missing_ok=True)
            except Timeout:
                raise LockHeld(
                    f"{self._held_message(owner)}; that process is still running, and the "
                    "kernel holds its lock until it ends: stop it instead"
                ) from None
            except NotImplementedError:
                self._soft = True
        if self._soft:
            if owner is not None and owner.host == socket.gethostname() and not owner.is_gone():
                raise LockHeld(f"{self._held_message(owner)}; that process is still running")
            if owner is None and self.lock_path.exists():
                self.lock_path.unlink(missing_ok=True)
                return f"{self.lock_path}: removed a lock whose owner is unknown"
            self.lock_path.unlink(missing_ok=True)
            self.info_path.unlink(missing_ok=True)
        if owner is None:
            return f"{self.lock_path}: no apply holds the lock; nothing to do"
        return f"{self.lock_path}: removed the lock left by {owner.describe()}"

    def _file_lock(self) -> BaseFileLock:
        from filelock import FileLock, SoftFileLock

        if self._soft:
            return SoftFileLock(self.lock_path, timeout=self._timeout)
        return FileLock(self.lock_path, timeout=self._timeout, mode=FILE_MODE)

    def _acquire(self) -> BaseFileLock:
        from filelock import Timeout

        lock = self._file_lock()
        try:
            lock.acquire()
        except Timeout:
            owner = self._read_owner()
            if self._soft and owner is not None and owner.is_gone():
                # A marker left by a process that is gone: break it and take over.
                self.lock_path.unlink(missing_ok=True)
                return self._acquire_or_raise(lock)
            raise LockHeld(self._held_message(owner)) from None
        except NotImplementedError:
            # An older filelock on a filesystem without flock: fall back to a marker file.
            self._soft = True
            return self._acquire()
        return lock

    def _acquire_or_raise(self, lock: BaseFileLock) -> BaseFileLock:
        from filelock import Timeout

        try:
            lock.acquire()
        except Timeout:
            raise LockHeld(self._held_message(self._read_owner())) from None
        return lock

    def _held_message(self, owner: Owner | None) -> str:
        holder = owner.describe() if owner is not None else "another process (owner unknown)"
        return (
            f"{self.lock_path}: another apply holds the lock: {holder}. If that process is gone, "
            "run `reconciler force-unlock` with the same -f/--state/--sandbox"
        )

    def _read_owner(self) -> Owner | None:
        try:
            data = parse_json(read_regular(self.info_path, _MAX_OWNER_BYTES))
            return Owner(
                pid=int(data["pid"]),
                host=str(data["host"]),
                started=str(data["started"]),
                command=str(data["command"]),
            )
        except FileNotFoundError:
            return None
        except (OSError, UnreadableFile, ValueError, TypeError, KeyError):
            return Owner(pid=0, host="?", started="?", command="unreadable owner record")
