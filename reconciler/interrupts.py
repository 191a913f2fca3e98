"""Ctrl-C and SIGTERM end a run the same way: as ``KeyboardInterrupt``, so that every context
manager on the way out (the lock and its owner record, open files) is left properly.

Both are handled whatever the parent process left them as (ignored, in a script's background
job). SIGTERM is passed to whatever handles SIGINT at that moment (Python's, which raises
``KeyboardInterrupt``, or asyncio's, which cancels the running task first); ``exit_code``
then says which signal it was. This module imports nothing else of the package.
"""

from __future__ import annotations

import signal
import sys
import threading
import warnings
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, TypeVar

_T = TypeVar("_T")

_received: list[int] = []


def install() -> None:
    """Make Ctrl-C raise ``KeyboardInterrupt`` and SIGTERM interrupt the run as Ctrl-C does,
    even when the parent ignored them (a background job of a script starts with SIGINT
    ignored), and an interrupt that Python could only report as "ignored" (raised inside a
    callback while a module loads) interrupt it after all."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGALRM, _redeliver)
    sys.unraisablehook = _unraisable


def run_async(main: Coroutine[Any, Any, _T]) -> _T:
    """``asyncio.run(main)``, an interrupt always ending it as ``KeyboardInterrupt``.

    asyncio's own Ctrl-C handler cancels the main task and raises ``KeyboardInterrupt`` only
    when nothing inside took that cancellation for its own (a timeout of the HTTP client's
    meeting it, say); otherwise the ``CancelledError`` itself comes out. Nothing else cancels
    the main task, so one coming out is the interrupt."""
    with held():
        import asyncio

    try:
        return asyncio.run(main)
    except asyncio.CancelledError:
        raise KeyboardInterrupt from None


@contextmanager
def held() -> Iterator[None]:
    """Run the block with Ctrl-C and SIGTERM held back, then let one that came through: for
    modules loaded while a run goes on, since an interrupt landing inside an import leaves it
    half done, and the interpreter can then end without a word. Signals are handled in the main
    thread only: another thread's block holds nothing back."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[tuple[int, FrameType | None]] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        came.append((signum, frame))

    handlers: dict[int, Any] = {n: signal.signal(n, hold) for n in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        if came:
            signum, frame = came[0]
            if callable(handlers[signum]):
                handlers[signum](signum, frame)
            elif handlers[signum] == signal.SIG_DFL:
                signal.raise_signal(signum)


def _unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        # Raised again a moment later, outside the callback, where it can be handled: the run
        # ends with one line.
        signal.setitimer(signal.ITIMER_REAL, 0.001)
        return
    sys.__unraisablehook__(unraisable)


def _redeliver(signum: int, frame: FrameType | None) -> None:
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signal.SIGINT, frame)
        return
    raise KeyboardInterrupt


def _terminate(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signal.SIGINT, frame)
        return
    raise KeyboardInterrupt


def _silent(unraisable: sys.UnraisableHookArgs) -> None:
    return None


def exit_code() -> int:
    """128 plus the signal that interrupted the run (SIGINT unless SIGTERM came)."""
    return 128 + (_received[0] if _received else signal.SIGINT)


def ignore() -> None:
    """From now on, Ctrl-C and SIGTERM are ignored: the run is ending and says so itself. An
    interrupt due again (``_unraisable``'s timer) is dropped too, even one whose signal has
    already come and waits for its handler: it would raise into the run's last lines."""
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def leave(message: str = "interrupted") -> None:
    """End an interrupted run: one line on stderr, the signal's exit code.

    What the interrupt cut short may complain as the interpreter ends (an event loop stopped
    while it was being made, a coroutine never awaited): those complaints are silenced, since
    the run has said how it ended.
    """
    ignore()  # a second signal must not interrupt the message with a traceback
    sys.unraisablehook = _silent
    warnings.simplefilter("ignore")
    try:
        sys.stderr.write(f"{message}\n")
        sys.stderr.flush()
    finally:
        sys.exit(exit_code())
