"""``reconciler import``: write (or update) the desired-state file from the live account."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.exits import console, exits_cleanly
from reconciler.cli.group import main
from reconciler.cli.locking import with_inputs
from reconciler.cli.options import (
    LOCK_TIMEOUT_OPTION,
    an_id,
    target_options,
)
from reconciler.render.counts import counted
from reconciler.render.escape import terminal
from reconciler.workflows.importing import import_account
from reconciler.workflows.session import Inputs


@main.command("import")
@target_options
@LOCK_TIMEOUT_OPTION
@click.option(
    "--account-id",
    callback=an_id,
    metavar="ID",
    default=None,
    help="The :account-id to import [default: account.id of the existing --file].",
)
@exits_cleanly
@with_inputs("import", desired=False)
def import_(
    file: Path,
    state: Path | None,
    state_url: str | None,
    sandbox: bool,
    env_file: Path,
    lock_timeout: float,
    account_id: int | None,
    inputs: Inputs,
) -> None:
    """Write the desired-state file from the live account, or update it in place (comments,
    order and quoting kept), and record what was read as the known state."""
    imported = import_account(inputs.target, account_id)
    out = console()
    for note in imported.notes:
        out.print(f"  note: {terminal(note)}")
    verb = "Updated" if imported.updated else "Wrote"
    out.print(
        f"{verb} {terminal(str(file))}: account {imported.account_id}, "
        f"{counted(imported.clients_read, 'client')} on the live account "
        f"({imported.clients_added} added, {counted(imported.fields_updated, 'field')} updated). "
        f"Known state recorded ({counted(imported.resources_recorded, 'resource')}).",
        style="bold",
    )
