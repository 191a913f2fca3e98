"""The end of a run: what a command built is left for the operating system to take back.

Freeing a big plan one object at a time (every model, mapping and text of ten thousand
clients) is a tenth of the plan's run, spent after its last line is printed. A command
``keep``s what it built; the entry point then ends the process with ``leave``: the output
flushed and the exit handlers run (log files closed) as the interpreter would, then
``os._exit``, the memory given back whole, as compilers do (clang's ``-disable-free``).

Only the entry point turns this on (``begin``): a command run in-process (a test's runner)
keeps nothing. Whenever ending early could lose something (output that cannot be flushed,
another thread still running, an exit with a message) ``leave`` returns and the interpreter
ends the run as usual. This module imports nothing else of the package.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading

_kept: dict[type, object] = {}
_keeping = False


def begin() -> None:
    """Let ``keep`` hold what commands build, for ``leave`` to end the process over."""
    global _keeping
    _keeping = True


def keep(value: object) -> None:
    """Hold ``value`` until the process ends (the latest one of its type: a fleet's earlier
    accounts are freed as the next is kept); nothing unless ``begin`` was called."""
    if _keeping:
        _kept[type(value)] = value


def leave(code: object) -> None:
    """End the process with exit status ``code`` (an ``int`` or None, as ``SystemExit``
    carries it) without freeing what was kept; return instead when nothing was kept, when
    the status is a message, when another thread still runs, or when the output cannot be
    flushed: the interpreter then ends the run and reports as it always does."""
    if not _kept or not (code is None or isinstance(code, int)):
        return
    if threading.active_count() > 1:
        return
    if not _flushed():
        return
    atexit._run_exitfuncs()  # logging's among them: a log file is flushed and closed
    _flushed()
    os._exit(0 if code is None else code)


def _flushed() -> bool:
    """Whether standard output and error were flushed (a closed pipe refuses)."""
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return False
    return True
