"""The package's one exception tree. Only ``reconciler.cli`` turns these into exit codes and
messages.

    ReconcilerError
    ├── InputError                 the user's files or settings are wrong (exit 1)
    │   ├── ValidationFailed       one or more problems, each with file:line:col and field path
    │   ├── SettingsError          missing or invalid settings (API key, base URL, ...)
    │   ├── StateFileError         the known-state file is unreadable, mangled or from the future
    │   │   └── DatabaseUnreachable  the known-state database refused or never answered a connection
    │   ├── TargetError            a --target names no valid form or no declared resource
    │   └── PlanFileError          a saved plan is unreadable, tampered with or from the future,
    │       │                      or `plan --out` names a file that is not a saved plan
    │       └── StalePlan          the desired file, known state or calls changed since it was saved
    ├── StateWriteError            a file could not be written (disk full, too large, no
    │   │                          permission, read-only): exit 3 once an apply made calls, else 1
    │   └── LockLost               the known-state lock, or the connection holding it, was lost:
    │                              the run stopped before its next call (exit 3 once it made one)
    ├── LockHeld                   another apply holds the known-state lock (exit 1)
    ├── UnsafePlan                 the safety guard refuses the plan without --force (exit 1)
    ├── ApiError                   the API answered a call with an error status
    │   ├── RetryableError         an answer worth retrying (429, 5xx), with its Retry-After
    │   └── ApiUnavailable         no usable answer: connection, deadline, size, retries exhausted
    └── ApplyFailed                some calls of an apply failed; the summary says which (exit 3)

This module imports nothing else of the package.
"""

from __future__ import annotations

from dataclasses import dataclass


class ReconcilerError(Exception):
    """Base of every error the package raises on purpose."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, pointing at where it is."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class InputError(ReconcilerError):
    """The user's input (files, settings, flags) cannot be used."""


class ValidationFailed(InputError):
    """Every problem found in an input file, gathered before failing."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{count} {noun} found:\n{lines}")


class SettingsError(InputError):
    """Settings (environment, .env, flags) are missing or invalid."""


class StateFileError(InputError):
    """The known-state file cannot be trusted as it is."""


class DatabaseUnreachable(StateFileError):
    """No connection to the known-state database could be opened (refused, or no answer within
    the connect timeout): every account kept there would fail alike."""


class TargetError(InputError):
    """A ``--target`` is malformed or names nothing the desired state declares."""


class PlanFileError(InputError):
    """A saved plan file cannot be used (unreadable, tampered with, of an unknown format), or
    cannot be written where asked (over a file that is not a saved plan)."""


class StalePlan(PlanFileError):
    """The desired file, the known state or the calls changed since the plan was saved."""


class UnsafePlan(ReconcilerError):
    """The plan changes too much at once, or the account's fiscal data; ``--force`` overrides."""


class StateWriteError(ReconcilerError):
    """A file could not be written: disk full, file too large, no permission, read-only.

    ``path`` is the file, ``reason`` the system's word for why; ``consequence`` says what that
    means for the run (e.g. which successes are recorded), when the caller knows.
    """

    def __init__(self, path: str, reason: str, consequence: str = "") -> None:
        self.path = path
        self.reason = reason
        self.consequence = consequence
        message = f"{path}: cannot write: {reason}"
        super().__init__(f"{message}. {consequence}" if consequence else message)


class LockLost(StateWriteError):
    """This run can no longer prove it holds the known-state lock (its connection was ended,
    or the lock is not granted to it): it made no further call. ``made`` and ``recorded``
    count the apply's calls sent and successes recorded, once the apply knows them."""

    def __init__(self, where: str, reason: str, made: int = 0, recorded: int = 0) -> None:
        self.where = where
        self.made = made
        self.recorded = recorded
        super().__init__(where, reason)
        stop = f"{where}: lost the known-state lock ({reason}): stopped before the next call"
        self.args = (stop,)

    def counted(self, made: int, recorded: int) -> LockLost:
        """The same loss, with the apply's counts."""
        return LockLost(self.where, self.reason, made, recorded)

    def counts(self) -> str:
        """The apply's counts, as the line that follows the message."""
        noun = "call" if self.made == 1 else "calls"
        return (
            f"Apply: {self.made} {noun} made, {self.recorded} recorded; the next apply plans "
            "again from what is recorded."
        )

    def __str__(self) -> str:
        return str(self.args[0])


class LockHeld(ReconcilerError):
    """Another process holds the lock on the known-state file."""


class ApiError(ReconcilerError):
    """The API answered with an error status.

    ``message`` is the API's own text where it gave one; ``code`` its error code (the sequence
    endpoints answer ``{"code": "005", "message": ...}``).
    """

    def __init__(
        self, status: int, message: str, method: str, path: str, code: str | None = None
    ) -> None:
        self.status = status
        self.message = message
        self.method = method
        self.path = path
        self.code = code
        super().__init__(f"{method} {path}: HTTP {status}: {message}")

    @property
    def cause(self) -> str:
        """The failure without the request it befell (``HTTP 401: ...``): the same for every
        call that failed the same way."""
        status = f"HTTP {self.status}" if self.status else "no answer"
        return f"{status}: {self.message}"


class RetryableError(ApiError):
    """An error answer worth retrying (429, 5xx); carries the server's Retry-After, if any."""

    def __init__(
        self, status: int, message: str, method: str, path: str, retry_after: float | None
    ) -> None:
        super().__init__(status, message, method, path)
        self.retry_after = retry_after


class ApiUnavailable(ApiError):
    """No usable answer came back (connection refused or reset, timeout or deadline, an answer
    over the size limit, retries exhausted)."""

    def __init__(self, message: str, method: str, path: str) -> None:
        super().__init__(0, message, method, path)


class ApplyFailed(ReconcilerError):
    """An apply finished with some calls failed or skipped; successes are recorded."""
