"""An error as one message for stderr: every piece of it that came from a file, a name or a
server made safe for a terminal (``render.escape``), every secret redacted first."""

from __future__ import annotations

from collections.abc import Callable

from reconciler.errors import Problem, ValidationFailed
from reconciler.render.escape import terminal, terminal_lines


def problem_line(problem: Problem, redact: Callable[[str], str]) -> str:
    """``file:line:col: path: message``, each piece on one line whatever it holds."""
    where = f"{terminal(redact(problem.file))}:{problem.line}:{problem.column}"
    message = terminal(redact(problem.message))
    return (
        f"{where}: {terminal(redact(problem.path))}: {message}"
        if problem.path
        else f"{where}: {message}"
    )


def error_message(error: BaseException, redact: Callable[[str], str]) -> str:
    """The error's message as it may be printed: a validation failure's problems one a line,
    any other error's own lines kept, and nothing in them a terminal would act on."""
    if isinstance(error, ValidationFailed):
        count = len(error.problems)
        noun = "problem" if count == 1 else "problems"
        lines = "".join(f"\n  {problem_line(problem, redact)}" for problem in error.problems)
        return f"{count} {noun} found:{lines}"
    return terminal_lines(redact(str(error)))
