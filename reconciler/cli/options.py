"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from reconciler.desired.loader.limits import MAX_NUMBER_DIGITS
from reconciler.desired.loader.source import shorten

P = ParamSpec("P")
R = TypeVar("R")


def an_id(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """An id given on the command line (an option's callback): decimal digits, positive and
    below 2^63, as in the file; one too long to be real is refused by its length, never
    converted."""
    if value is None:
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or text[0] == "0":
        raise click.BadParameter(f"{shorten(text)!r} is not an id (a positive whole number)")
    if len(text) > MAX_NUMBER_DIGITS or int(text) >= 2**63:
        raise click.BadParameter(
            f"{shorten(text)!r} is too large ({len(text)} digits; ids are below 2^63)"
        )
    return int(text)


FILE_OPTION = click.option(
    "-f",
    "--file",
    "file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("state.yaml"),
    show_default=True,
    help="The desired-state YAML file.",
)
FILES_OPTION = click.option(
    "-f",
    "--file",
    "file",
    type=click.Path(path_type=Path),
    multiple=True,
    default=(Path("state.yaml"),),
    show_default=True,
    help="The desired-state YAML file. Repeat it, or give a folder (every *.yaml in it), to "
    "work on a fleet: one account per file, named by its stem.",
)
SHARD_OPTION = click.option(
    "--shard",
    default=None,
    metavar="K/N|auto",
    help="Only the K-th of N stable shares of the fleet's accounts (by a hash of each name), "
    "so N jobs can split a fleet; or auto (plan, apply, refresh, with the known state in a "
    "database): each account whose lock this run gets first, the others left to the runs "
    "holding them.",
)
STATE_OPTION = click.option(
    "--state",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The known-state file [default: .reconciler/<name>.state.json beside --file].",
)
STATE_URL_OPTION = click.option(
    "--state-url",
    default=None,
    metavar="URL",
    help="Keep the known state in this PostgreSQL database (postgresql://...), under the "
    "desired file's name [default: $RECONCILER_STATE_URL, unless --state is given]. Prefer the "
    "variable: a password given here is visible to every user in the process list.",
)
LOCK_TIMEOUT_OPTION = click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for the known-state lock another run holds (0: fail at once).",
)
SANDBOX_OPTION = click.option(
    "--sandbox",
    is_flag=True,
    help="Run against a bundled sandbox (data and known state kept in .reconciler/sandbox/).",
)
ENV_FILE_OPTION = click.option(
    "--env-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    envvar="RECONCILER_ENV_FILE",
    show_envvar=True,
    metavar="PATH",
    help="Settings file read after the environment [default: none: no file is read unless "
    "named here or by $RECONCILER_ENV_FILE]. Inside the repository being planned it may not "
    "set the base URL, the account or the state URL.",
)
SHOW_REQUESTS_OPTION = click.option(
    "--show-requests", is_flag=True, help="Also show each HTTP request and body."
)
REFRESH_OPTION = click.option(
    "--refresh",
    is_flag=True,
    help="Read the live account first: show drift and fold it into the known state.",
)
CREATE_MISSING_OPTION = click.option(
    "--create-missing",
    is_flag=True,
    help="Create clients declared without id whose code is not on the live account.",
)


def _stacked(
    options: tuple[Callable[[Any], Any], ...],
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """One decorator applying ``options`` in the order ``--help`` lists them."""

    def decorate(command: Callable[P, R]) -> Callable[P, R]:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


target_options = _stacked(
    (FILE_OPTION, STATE_OPTION, STATE_URL_OPTION, SANDBOX_OPTION, ENV_FILE_OPTION)
)
"""The options naming one account's desired file and known state (-f, --state, --state-url,
--sandbox, --env-file)."""

planning_options = _stacked(
    (
        FILES_OPTION,
        SHARD_OPTION,
        STATE_OPTION,
        STATE_URL_OPTION,
        SANDBOX_OPTION,
        ENV_FILE_OPTION,
        LOCK_TIMEOUT_OPTION,
        SHOW_REQUESTS_OPTION,
        REFRESH_OPTION,
        CREATE_MISSING_OPTION,
    )
)
"""The options every planning command shares."""
