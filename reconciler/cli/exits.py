"""Exit codes, and the one place the package's errors become messages and exit codes."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import click

from reconciler import interrupts
from reconciler.cli.command_secrets import in_play, redacting
from reconciler.cli.group import colour_refused
from reconciler.core.redaction import Redactor
from reconciler.errors import ReconcilerError
from reconciler.render.messages import error_message
from reconciler.workflows.target import Target

if TYPE_CHECKING:  # rich is imported when a console is made: plain output never needs it
    from rich.console import Console

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_APPLY_FAILED = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT; 143 (128 + SIGTERM) after a SIGTERM
# A fleet exits with its accounts' worst code, in this order: an error stops a job's next step,
# failed calls need a look, pending changes are routine.
_SEVERITY = (EXIT_OK, EXIT_CHANGES, EXIT_APPLY_FAILED, EXIT_ERROR)


def worst_exit(codes: Iterable[int]) -> int:
    """The worst of several accounts' exit codes: 1 > 3 > 2 > 0."""
    return max(codes, key=_SEVERITY.index, default=EXIT_OK)


P = ParamSpec("P")
R = TypeVar("R")


def console(*, stderr: bool = False) -> Console:
    """A console for output: colour only on a terminal, never with NO_COLOR set or --no-color;
    text printed is shown as written (no rich markup: ``[bold]`` in a name stays text)."""
    from rich.console import Console

    no_color = bool(os.environ.get("NO_COLOR")) or colour_refused() or None
    return Console(stderr=stderr, highlight=False, markup=False, no_color=no_color, soft_wrap=True)


def plain_output(*, stderr: bool = False) -> bool:
    """Whether ``console(stderr=...)`` would show no colour at all, decided without making one
    (rich's own test, where it is certain): the stream is no terminal, and no variable says to
    treat it as one (``FORCE_COLOR``, ``TTY_COMPATIBLE=1``), outside a notebook and IDLE."""
    environ = os.environ
    if "IPython" in sys.modules or "idlelib" in sys.modules:
        return False
    if environ.get("TTY_COMPATIBLE", "") == "0":
        return True
    if environ.get("TTY_COMPATIBLE", "") == "1" or environ.get("FORCE_COLOR") is not None:
        return False
    stream = sys.stderr if stderr else sys.stdout
    try:
        return stream is None or not stream.isatty()
    except (AttributeError, ValueError):
        return True


def exits_cleanly(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the package's errors into a message on stderr and exit code 1, never a traceback.

    The message, and every log record meanwhile, is shown with every secret in play redacted:
    the last line of defence behind the client's own redaction of a server's text. The secrets
    are those of the command's ``target`` (its settings, read once), when it takes one.
    """

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        target = kwargs.get("target")
        given = target if isinstance(target, Target) else None
        with redacting(given) as secrets, errors_reported(lambda: secrets.redactor):
            return command(*args, **kwargs)

    return wrapper


@contextlib.contextmanager
def errors_reported(redactor: Callable[[], Redactor] | None = None) -> Iterator[None]:
    """The package's errors as a message on stderr and exit 1, shown through ``redactor``
    (the command's secrets in play by default); Ctrl-C as ``interrupted``."""
    try:
        yield
    except ReconcilerError as error:
        redact = in_play().redactor if redactor is None else redactor()
        click.echo(f"error: {error_message(error, redact)}", err=True)
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        interrupts.leave("interrupted")
        raise  # not reached: leave() exits
