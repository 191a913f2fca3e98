"""The "Exit codes" section at the end of each command's ``--help``."""

from __future__ import annotations

_ERROR = "1  bad input, settings or known state, a usage error, or the lock is held"
_INTERRUPTED = "130 / 143  interrupted by Ctrl-C / SIGTERM"

EXIT_CODES: dict[str, tuple[str, ...]] = {
    "": (
        "0  success (plan: no changes, or changes without --detailed-exitcode)",
        "1  bad input, settings or known state, or a usage error; nothing was applied",
        "2  plan or refresh --detailed-exitcode: changes pending or drift found",
        "3  apply finished, but some calls failed or were skipped (each success recorded)",
        _INTERRUPTED,
    ),
    "plan": (
        "0  no changes, or changes without --detailed-exitcode",
        "1  bad input, settings or known state, or a usage error",
        "2  --detailed-exitcode: changes pending (with --refresh: or drift found)",
        _INTERRUPTED,
    ),
    "apply": (
        "0  every call succeeded (or there was nothing to do)",
        "1  bad input, a stale plan, the safety guard, the lock held, not yes: nothing applied",
        "3  some calls failed or were skipped, or not converged; every success recorded",
        _INTERRUPTED,
    ),
    "refresh": (
        "0  read, and no drift (or drift without --detailed-exitcode)",
        _ERROR,
        "2  --detailed-exitcode: drift found",
        _INTERRUPTED,
    ),
    "validate": (
        "0  every file is valid",
        "1  a file has problems, or a usage error",
        _INTERRUPTED,
    ),
}
_DEFAULT = ("0  done", "1  bad input, settings or known state, or a usage error", _INTERRUPTED)


def exit_codes_epilog(command: str) -> str:
    """The section for ``command`` (``""``: the group), kept as written by click's ``\\b``."""
    lines = EXIT_CODES.get(command, _DEFAULT)
    return "\b\nExit codes: " + "\n            ".join(lines)
