"""``reconciler refresh``: read the declared resources from the live account and show drift."""

from __future__ import annotations

import sys
from typing import Any

import click

from reconciler.cli.command_inputs import with_inputs
from reconciler.cli.exits import EXIT_CHANGES, EXIT_ERROR, console, exits_cleanly
from reconciler.cli.fleet_command import open_fleet
from reconciler.cli.fleet_options import is_fleet, refuse_beside_fleet
from reconciler.cli.fleet_refresh import refresh_fleet
from reconciler.cli.gitops_options import format_option
from reconciler.cli.group import main
from reconciler.cli.options import ACCOUNTS_AT_ONCE_OPTION, PARALLELISM_OPTION, SHARD_OPTION
from reconciler.cli.progress import reading_live
from reconciler.cli.refresh_approval import NOT_WRITTEN, approved, would_write
from reconciler.cli.target_option import target_option
from reconciler.render.drift import render_refresh
from reconciler.render.escape import terminal
from reconciler.render.json import render_document
from reconciler.render.run_documents import refresh_document
from reconciler.workflows.backend_choice import known_state_where
from reconciler.workflows.refresh import read_refresh, write_refresh
from reconciler.workflows.session import Inputs
from reconciler.workflows.target import Target


@main.command()
@target_option(fleet=True, beside_file=(SHARD_OPTION,))
@PARALLELISM_OPTION
@ACCOUNTS_AT_ONCE_OPTION
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when drift was found, 0 when none.")
@click.option(
    "--auto-approve",
    is_flag=True,
    help="Write the live values into the known state without asking (off a terminal, "
    "without it nothing is written).",
)
@format_option("the document of schema/refresh.schema.json")
@exits_cleanly
def refresh(target: Target, shard: str | None, **options: Any) -> None:
    """Read the live account for every declared resource, show drift, update the known state."""
    if not is_fleet(target.files, shard):
        _refresh_one(target=target, **options)
        return
    refuse_beside_fleet(document=options["output_format"])
    fleet = open_fleet(target, shard)
    sys.exit(
        refresh_fleet(
            fleet,
            detailed_exitcode=options["detailed_exitcode"],
            auto_approve=options["auto_approve"],
        )
    )


@with_inputs("refresh")
def _refresh_one(
    detailed_exitcode: bool,
    auto_approve: bool,
    output_format: str,
    inputs: Inputs,
) -> None:
    """Refresh one account: show the drift and what would be written, then write it when
    approved (``yes`` on a terminal, or ``--auto-approve``)."""
    assert inputs.desired is not None  # loaded for every refresh
    target = inputs.target
    read = read_refresh(target, inputs.desired, reading_live())
    as_json = output_format == "json"
    if not as_json:
        console().print(render_refresh(read.refreshed))
        if read.changed:
            click.echo(terminal(would_write(read, known_state_where(target))))
    write = bool(read.changed) and _approved(auto_approve, asks=not as_json)
    written = write_refresh(target, read) if write else None
    if as_json:
        document = refresh_document(read.refreshed)
        document.update(written=written is not None, records_changed=list(read.changed))
        click.echo(render_document(document), nl=False)
    elif written is not None:
        console().print(f"Known state updated (serial {written.serial}).", style="bold")
    if detailed_exitcode and read.refreshed.drifted:
        sys.exit(EXIT_CHANGES)


def _approved(auto_approve: bool, *, asks: bool) -> bool:
    """Whether to write: ``--auto-approve``, or ``yes`` typed on a terminal (anything else
    cancels with exit 1); off a terminal, or for a document, nothing is written."""
    if auto_approve:
        return True
    if not asks or not sys.stdin.isatty():
        click.echo(f"note: {NOT_WRITTEN}", err=True)
        return False
    if not approved("these live values into the known state"):
        sys.exit(EXIT_ERROR)
    return True
