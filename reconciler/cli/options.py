"""Options shared by several commands."""

from __future__ import annotations

import re
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
    help="Keep the known state in the backend this URL names (postgresql://... or file:PATH), "
    "under the desired file's name [default: $RECONCILER_STATE_URL, unless --state is given]. "
    "Prefer the "
    "variable: a password given here is visible to every user in the process list.",
)
_DURATION = re.compile(r"([0-9]{1,9}(?:\.[0-9]{1,9})?)([smh]?)", re.ASCII)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600}
MAX_DURATION = 7 * 24 * 3600.0
"""The longest wait a flag takes: a week (PostgreSQL's lock_timeout holds about 24 days)."""


class Duration(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2
    """A duration: seconds (``30``, ``2.5``) or a number with a unit (``30s``, ``5m``, ``1h``),
    up to a week."""

    name = "duration"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = float(value)
        else:
            found = _DURATION.fullmatch(str(value).strip().lower())
            if found is None:
                self.fail(
                    f"{shorten(str(value))!r} is not a duration: seconds (600), or with a unit "
                    "(30s, 5m, 1h)",
                    param,
                    ctx,
                )
            seconds = float(found[1]) * _UNIT_SECONDS[found[2]]
        if not 0 <= seconds <= MAX_DURATION:
            self.fail(f"{shorten(str(value))!r} is not a duration of at most a week", param, ctx)
        return seconds


LOCK_TIMEOUT_OPTION = click.option(
    "--lock-timeout",
    type=Duration(),
    default="0",
    show_default=True,
    metavar="DURATION",
    help="How long to wait for the known-state lock another run holds: seconds, or 30s, 5m, "
    "1h (0: fail at once).",
)
TUNING = "reconciler.tuning"
"""Where the tool settings given as flags are kept, in the context's ``meta``."""


def _tuning(ctx: click.Context, param: click.Parameter, value: int | None) -> None:
    if value is not None and param.name is not None:
        ctx.meta.setdefault(TUNING, {})[param.name] = value


def _tuning_option(
    flag: str, setting: str, help: str
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A flag setting one tool setting (1 to 64), kept for the target; it wins over variables."""
    return click.option(
        flag,
        setting,
        type=click.IntRange(1, 64),
        default=None,
        expose_value=False,
        callback=_tuning,
        metavar="N",
        help=help,
    )


PARALLELISM_OPTION = _tuning_option(
    "--parallelism",
    "concurrency",
    "Calls in flight at once, 1 to 64 [default: $RECONCILER_CONCURRENCY, else 8].",
)
ACCOUNTS_AT_ONCE_OPTION = _tuning_option(
    "--accounts-at-once",
    "accounts_at_once",
    "A fleet's accounts worked on at once, 1 to 64 [default: $RECONCILER_ACCOUNTS_AT_ONCE, "
    "else 4].",
)


def tuning(ctx: click.Context | None = None) -> dict[str, int]:
    """The tool settings this run's flags set (``--parallelism``, ``--accounts-at-once``), by
    their names in ``ToolSettings``; they win over the variables."""
    ctx = ctx or click.get_current_context(silent=True)
    return dict(ctx.meta.get(TUNING, {})) if ctx is not None else {}


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
    help=(
        "Create clients declared without id whose code is not on the live account, and series "
        "named in sequences that the account lacks."
    ),
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


planning_options = _stacked(
    (
        PARALLELISM_OPTION,
        ACCOUNTS_AT_ONCE_OPTION,
        SHOW_REQUESTS_OPTION,
        REFRESH_OPTION,
        CREATE_MISSING_OPTION,
    )
)
"""The options every planning command shares after its ``target_option``."""
