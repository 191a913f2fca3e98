"""``reconciler import``: write (or update) the desired-state file from the live account."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from reconciler.cli.command_inputs import with_inputs
from reconciler.cli.command_secrets import in_play
from reconciler.cli.exits import console, exits_cleanly
from reconciler.cli.gitops_options import format_option
from reconciler.cli.group import main
from reconciler.cli.options import an_id
from reconciler.cli.target_option import target_option
from reconciler.render.counts import counted
from reconciler.render.escape import terminal
from reconciler.render.json import render_document
from reconciler.workflows.import_run import Imported, import_account
from reconciler.workflows.session import Inputs

FORMAT_VERSION = 1


@main.command("import")
@target_option()
@click.option(
    "--account-id",
    callback=an_id,
    metavar="ID",
    default=None,
    help="The :account-id to import [default: account.id of the existing --file].",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show the diff of the file the import would write; write nothing (no file, no known "
    "state, no lock).",
)
@format_option("the document of schema/import.schema.json")
@exits_cleanly
@with_inputs("import", desired=False, locks=lambda params: not params["dry_run"])
def import_(
    account_id: int | None,
    dry_run: bool,
    output_format: str,
    inputs: Inputs,
) -> None:
    """Write the desired-state file from the live account, or update it in place (comments,
    order and quoting kept), and record what was read as the known state."""
    imported = import_account(inputs.target, account_id, dry_run=dry_run)
    file = inputs.target.file
    shown = in_play().redactor  # a live value may hold a secret in play: never shown
    if output_format == "json":
        click.echo(render_document(import_document(imported, file, shown)), nl=False)
        return
    out = console()
    if imported.diff is not None:
        for line in shown(imported.diff).splitlines():
            click.echo(terminal(line))
    for note in imported.notes:
        out.print(f"  note: {terminal(shown(note))}")
    counts = (
        f"account {imported.account_id}, {counted(imported.clients_read, 'client')} on the live "
        f"account ({imported.clients_added} added, "
        f"{counted(imported.fields_updated, 'field')} updated)"
    )
    if dry_run:
        verb = "updated" if imported.updated else "written"
        out.print(
            f"Dry run: {terminal(str(file))} would be {verb}: {counts}; "
            f"{counted(imported.resources_recorded, 'resource')} would be recorded. "
            "Nothing written.",
            style="bold",
        )
        return
    verb = "Updated" if imported.updated else "Wrote"
    out.print(
        f"{verb} {terminal(str(file))}: {counts}. Known state recorded "
        f"({counted(imported.resources_recorded, 'resource')}).",
        style="bold",
    )


def import_document(imported: Imported, file: Path, shown: Callable[[str], str]) -> dict[str, Any]:
    """What an import wrote (or, with ``--dry-run``, would write), for tools."""
    return {
        "format_version": FORMAT_VERSION,
        "kind": "import",
        "file": str(file),
        "account_id": imported.account_id,
        "dry_run": imported.diff is not None,
        "written": imported.diff is None,
        "updated": imported.updated,
        "diff": None if imported.diff is None else shown(imported.diff),
        "notes": [shown(note) for note in imported.notes],
        "summary": {
            "clients_read": imported.clients_read,
            "clients_added": imported.clients_added,
            "fields_updated": imported.fields_updated,
            "resources_recorded": imported.resources_recorded,
        },
    }
