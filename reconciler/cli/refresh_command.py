"""``reconciler refresh``: read the declared resources from the live account and show drift."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from reconciler.cli.exits import EXIT_CHANGES, console, exits_cleanly
from reconciler.cli.fleet import open_fleet, refresh_fleet
from reconciler.cli.fleet_options import is_fleet, refuse_beside_fleet
from reconciler.cli.gitops_options import format_option
from reconciler.cli.group import main
from reconciler.cli.locking import target_of, with_inputs
from reconciler.cli.options import (
    ACCOUNTS_AT_ONCE_OPTION,
    ENV_FILE_OPTION,
    FILES_OPTION,
    LOCK_TIMEOUT_OPTION,
    PARALLELISM_OPTION,
    SANDBOX_OPTION,
    SHARD_OPTION,
    STATE_OPTION,
    STATE_URL_OPTION,
)
from reconciler.cli.progress import reading_live
from reconciler.core.run_documents import refresh_document
from reconciler.render.drift import render_refresh
from reconciler.render.json import render_document
from reconciler.workflows.refresh import refresh_account
from reconciler.workflows.session import Inputs


@main.command()
@FILES_OPTION
@SHARD_OPTION
@STATE_OPTION
@STATE_URL_OPTION
@SANDBOX_OPTION
@ENV_FILE_OPTION
@LOCK_TIMEOUT_OPTION
@PARALLELISM_OPTION
@ACCOUNTS_AT_ONCE_OPTION
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when drift was found, 0 when none.")
@format_option("the document of schema/refresh.schema.json")
@exits_cleanly
def refresh(file: tuple[Path, ...], shard: str | None, **options: Any) -> None:
    """Read the live account for every declared resource, show drift, update the known state."""
    if not is_fleet(file, shard):
        _refresh_one(file=file[0], **options)
        return
    refuse_beside_fleet(document=options["output_format"])
    fleet = open_fleet(file, shard, target_of({**options, "file": file[0]}))
    sys.exit(
        refresh_fleet(
            fleet,
            lock_timeout=options["lock_timeout"],
            detailed_exitcode=options["detailed_exitcode"],
        )
    )


@with_inputs("refresh")
def _refresh_one(
    file: Path,
    state: Path | None,
    state_url: str | None,
    sandbox: bool,
    env_file: Path,
    lock_timeout: float,
    detailed_exitcode: bool,
    output_format: str,
    inputs: Inputs,
) -> None:
    """Refresh one account."""
    assert inputs.desired is not None  # loaded for every refresh
    refreshed = refresh_account(inputs.target, inputs.desired, reading_live(console(stderr=True)))
    if output_format == "json":
        click.echo(render_document(refresh_document(refreshed)), nl=False)
    else:
        console().print(render_refresh(refreshed))
    if detailed_exitcode and refreshed.drifted:
        sys.exit(EXIT_CHANGES)
