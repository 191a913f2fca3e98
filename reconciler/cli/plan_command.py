"""``reconciler plan``: the dry run."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reconciler.cli.exits import EXIT_CHANGES, console, exits_cleanly
from reconciler.cli.group import main
from reconciler.cli.options import (
    CREATE_MISSING_OPTION,
    ENV_FILE_OPTION,
    FILE_OPTION,
    REFRESH_OPTION,
    SANDBOX_OPTION,
    SHOW_REQUESTS_OPTION,
    STATE_OPTION,
)
from reconciler.cli.session import open_session, print_read_side
from reconciler.render.text import render_plan


@main.command()
@FILE_OPTION
@STATE_OPTION
@SANDBOX_OPTION
@ENV_FILE_OPTION
@SHOW_REQUESTS_OPTION
@REFRESH_OPTION
@CREATE_MISSING_OPTION
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when changes are pending (or, with --refresh, drift was found), 0 when none.",
)
@exits_cleanly
def plan(
    file: Path,
    state: Path | None,
    sandbox: bool,
    env_file: Path,
    show_requests: bool,
    refresh: bool,
    create_missing: bool,
    detailed_exitcode: bool,
) -> None:
    """Show, as a dry run, exactly the API calls an apply would make."""
    session = open_session(
        file, state, sandbox, env_file, refresh=refresh, create_missing=create_missing
    )
    drifted = print_read_side(session)
    console().print(render_plan(session.plan, show_requests=show_requests))
    if detailed_exitcode and (drifted or not session.plan.is_empty):
        sys.exit(EXIT_CHANGES)
