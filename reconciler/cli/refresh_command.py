"""``reconciler refresh``: read the declared resources from the live account and show drift."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from reconciler.cli.exits import EXIT_CHANGES, console, exits_cleanly
from reconciler.cli.group import main
from reconciler.cli.locking import holds_state_lock
from reconciler.cli.options import ENV_FILE_OPTION, FILE_OPTION, SANDBOX_OPTION, STATE_OPTION
from reconciler.cli.options import state_path as default_state_path
from reconciler.cli.session import digest_key, read_side
from reconciler.desired import load_desired
from reconciler.render.drift import render_refresh
from reconciler.settings import load_tool_settings
from reconciler.state import StateStore


@main.command()
@FILE_OPTION
@STATE_OPTION
@SANDBOX_OPTION
@ENV_FILE_OPTION
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when drift was found, 0 when none.")
@exits_cleanly
@holds_state_lock("refresh")
def refresh(
    file: Path, state: Path | None, sandbox: bool, env_file: Path, detailed_exitcode: bool
) -> None:
    """Read the live account for every declared resource, show drift, update the known state."""
    tool = load_tool_settings(env_file)
    desired = load_desired(file, os.environ)
    store = StateStore(default_state_path(file, state, sandbox))
    key = digest_key(tool, sandbox, env_file)
    # Clients not on the live account are not an error here: there is nothing to read.
    prepared = read_side(
        desired, store, store.load(), key, tool, (sandbox, file, env_file), True, True
    )
    refreshed = prepared.refreshed
    assert refreshed is not None  # a refresh was asked for
    console().print(render_refresh(refreshed))
    if detailed_exitcode and refreshed.drifted:
        sys.exit(EXIT_CHANGES)
