"""``reconciler plan``: the dry run."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reconciler.cli.exits import EXIT_CHANGES, console, exits_cleanly
from reconciler.cli.group import main
from reconciler.cli.options import (
    ENV_FILE_OPTION,
    FILE_OPTION,
    SANDBOX_OPTION,
    SHOW_REQUESTS_OPTION,
    STATE_OPTION,
)
from reconciler.cli.session import open_session
from reconciler.render.text import render_plan


@main.command()
@FILE_OPTION
@STATE_OPTION
@SANDBOX_OPTION
@ENV_FILE_OPTION
@SHOW_REQUESTS_OPTION
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 2 when changes are pending, 0 when none."
)
@exits_cleanly
def plan(
    file: Path,
    state: Path | None,
    sandbox: bool,
    env_file: Path,
    show_requests: bool,
    detailed_exitcode: bool,
) -> None:
    """Show, as a dry run, exactly the API calls an apply would make."""
    session = open_session(file, state, sandbox, env_file)
    console().print(render_plan(session.plan, show_requests=show_requests))
    if detailed_exitcode and not session.plan.is_empty:
        sys.exit(EXIT_CHANGES)
