"""``--error-format github``: problems as GitHub Actions workflow commands (``::error ...``).

Each problem becomes an annotation on the line and column it points at; the runner shows it on
the pull request's diff. Annotations go to stderr (the runner reads workflow commands there
too), so stdout stays the plan; the human message follows them and the exit code is unchanged.
Like every message, an annotation shows no secret in play: each part is redacted before it is
escaped for the runner.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any, TypeVar

import click

from reconciler.cli.command_secrets import in_play
from reconciler.errors import Problem, ReconcilerError, ValidationFailed
from reconciler.render.escape import workflow_data, workflow_property

R = TypeVar("R")

ERROR_FORMATS = ("text", "github")
ERROR_FORMAT_OPTION = click.option(
    "--error-format",
    type=click.Choice(ERROR_FORMATS),
    default="text",
    show_default=True,
    help="How to report problems: text, or github (::error annotations on stderr).",
)


def github_annotation(problem: Problem) -> str:
    """One problem as ``::error file=…,line=…,col=…,title=…::message``."""
    redact = in_play().redactor
    title = f"reconciler: {redact(problem.path)}" if problem.path else "reconciler"
    return (
        f"::error file={workflow_property(redact(problem.file))},line={problem.line},"
        f"col={problem.column},title={workflow_property(title)}"
        f"::{workflow_data(redact(problem.message))}"
    )


def github_error(message: str, title: str = "reconciler") -> str:
    """An error not tied to a place in a file, as ``::error title=…::message``."""
    redact = in_play().redactor
    return f"::error title={workflow_property(redact(title))}::{workflow_data(redact(message))}"


def annotations_of(error: ReconcilerError, message: str, title: str = "reconciler") -> list[str]:
    """The annotations of one error: each problem of a validation failure at its place, or
    ``message`` (the error as it may be shown) as one."""
    if isinstance(error, ValidationFailed):
        return [github_annotation(problem) for problem in error.problems]
    return [github_error(message, title)]


@contextlib.contextmanager
def annotated(error_format: str) -> Iterator[None]:
    """In github format, print the errors raised inside as annotations, then re-raise them."""
    try:
        yield
    except ValidationFailed as error:
        if error_format == "github":
            for problem in error.problems:
                click.echo(github_annotation(problem), err=True)
        raise
    except ReconcilerError as error:
        if error_format == "github":
            click.echo(github_error(str(error)), err=True)
        raise


def annotates_errors(command: Callable[..., R]) -> Callable[..., R]:
    """Run a command inside ``annotated`` with its own ``--error-format``."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        with annotated(kwargs["error_format"]):
            return command(*args, **kwargs)

    return wrapper
