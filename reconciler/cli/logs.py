"""Where log records go, and from which level: ``-v`` or ``RECONCILER_LOG`` and ``--log-file``.

Records go to stderr, from ``warning`` unless a level is chosen (``-v`` is ``debug``). With a
log file they go there from the chosen level (``debug`` unless one is chosen), and stderr keeps
the warnings. Every handler made here is one ``cli.command_secrets.redacting`` gives its
filter, so a file holds no secret in play, as stderr doesn't.
"""

from __future__ import annotations

import logging
import os
import stat
import sys
from pathlib import Path
from typing import TextIO

import click

from reconciler.render.escape import terminal, terminal_lines

LOG_LEVEL_VARIABLE = "RECONCILER_LOG"
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
_FORMAT = "%(levelname)s %(name)s: %(message)s"


class TerminalSafeFormatter(logging.Formatter):
    """Log records as lines a terminal only shows: a record's text (a server's, a file's) can't
    move the cursor, change colours or start a workflow command."""

    def format(self, record: logging.LogRecord) -> str:
        return terminal_lines(super().format(record))


class _LogFileHandler(logging.StreamHandler[TextIO]):
    """Writes records to a log file it owns, and closes the file with itself."""

    def close(self) -> None:
        try:
            self.acquire()
            try:
                self.flush()
                self.stream.close()
            finally:
                self.release()
        finally:
            super().close()


def chosen_level(verbose: bool) -> int | None:
    """The level ``-v`` (debug) or ``RECONCILER_LOG`` chooses; ``None`` when neither does."""
    if verbose:
        return logging.DEBUG
    name = os.environ.get(LOG_LEVEL_VARIABLE, "").strip()
    if not name:
        return None
    level = LEVELS.get(name.lower())
    if level is None:
        raise click.ClickException(
            f"{LOG_LEVEL_VARIABLE}={terminal(name[:40])!r} is not a log level: "
            "expected debug, info or warning"
        )
    return level


def configure_logging(*, verbose: bool, log_file: Path | None) -> None:
    """Send log records where the flags and ``RECONCILER_LOG`` say, replacing any before."""
    level = chosen_level(verbose)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(TerminalSafeFormatter(_FORMAT))
    handlers: list[logging.Handler] = [stderr]
    if log_file is None:
        stderr.setLevel(level if level is not None else logging.WARNING)
    else:
        stderr.setLevel(logging.WARNING)
        to_file = _LogFileHandler(open_log_file(log_file))
        to_file.setFormatter(TerminalSafeFormatter("%(asctime)s " + _FORMAT))
        to_file.setLevel(level if level is not None else logging.DEBUG)
        handlers.append(to_file)
    lowest = min(handler.level for handler in handlers)
    logging.basicConfig(level=lowest, handlers=handlers, force=True)


def open_log_file(path: Path) -> TextIO:
    """``path`` opened to append log lines (created private, 0600); anything but a regular
    file (a folder, a FIFO, a device) is refused, naming it, before it is opened."""
    shown = terminal(str(path))
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise click.ClickException(f"{shown}: not a regular file (--log-file)")
    except FileNotFoundError:
        pass
    except OSError as error:
        raise click.ClickException(f"{shown}: {error.strerror} (--log-file)") from None
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        descriptor = os.open(path, flags, 0o600)
    except OSError as error:
        raise click.ClickException(f"{shown}: {error.strerror} (--log-file)") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):  # replaced since it was looked at
        os.close(descriptor)
        raise click.ClickException(f"{shown}: not a regular file (--log-file)")
    os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "a", encoding="utf-8", errors="backslashreplace")
