"""``reconciler state move``: move one account's known state between its file and a database."""

from __future__ import annotations

import click

from reconciler.cli.command_secrets import database_passwords, in_play
from reconciler.cli.exits import console, exits_cleanly
from reconciler.cli.group import main
from reconciler.cli.target_option import target_option
from reconciler.errors import InputError
from reconciler.render.counts import counted
from reconciler.render.escape import terminal
from reconciler.workflows.state_move import ALIASES, move_state
from reconciler.workflows.target import Target, with_state_url


@main.group("state")
def state_group() -> None:
    """Work on the known state itself."""


@state_group.command("move")
@click.option(
    "--to",
    "to",
    metavar="URL|database|file",
    required=True,
    help="Where to: a backend's URL (file:PATH, postgresql://...); database: the --state-url "
    "(or RECONCILER_STATE_URL); file: the known-state file (--state, or the default).",
)
@target_option()
@exits_cleanly
def move(to: str, target: Target) -> None:
    """Move the known state of -f's account to --to, holding both locks: between its file
    (--state, or the default beside -f) and the database (--state-url), or to any backend's
    URL from where it is kept now. The source is retired afterwards: the file renamed
    <name>.moved, or the account's rows deleted. A destination that records another history
    is never overwritten."""
    if to not in ALIASES:
        in_play().add(*database_passwords(to))
    moved = move_state(with_state_url(target, unless_state_file=False), to, target.lock_timeout)
    known = moved.state
    console().print(
        f"Moved the known state (lineage {known.lineage}, serial {known.serial}, "
        f"{counted(len(known.resources), 'resource')}) from {terminal(str(moved.source))} to "
        f"{terminal(str(moved.destination))}; {terminal(moved.retired)}"
        f"{'' if moved.replaced is None else '; ' + terminal(moved.replaced)}.",
        style="bold",
    )


@state_group.command(
    "mv",
    hidden=True,
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
)
@exits_cleanly
def mv() -> None:
    """Refused: records are addressed by the API's ids, so there is nothing to rename."""
    raise InputError(
        "there is no `state mv`: a record's address is the API's id (client:42), so it can't "
        "be renamed. `reconciler state move --to database|file` moves this account's whole "
        "known state between its file and a database; `reconciler state rm ADDRESS` forgets "
        "a record (the next plan treats it as never applied)"
    )
