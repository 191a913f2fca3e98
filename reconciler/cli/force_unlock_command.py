"""``reconciler force-unlock``: remove the lock an apply left behind when it was killed."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.exits import exits_cleanly
from reconciler.cli.group import main
from reconciler.cli.options import FILE_OPTION, SANDBOX_OPTION, STATE_OPTION
from reconciler.storage.lock import StateLock
from reconciler.storage.paths import state_path


@main.command("force-unlock")
@FILE_OPTION
@STATE_OPTION
@SANDBOX_OPTION
@exits_cleanly
def force_unlock(file: Path, state: Path | None, sandbox: bool) -> None:
    """Remove the known-state lock of an apply that is gone (refused while it still runs)."""
    click.echo(StateLock(state_path(file, state, sandbox)).force_unlock())
