"""``reconciler force-unlock``: remove the lock an apply left behind when it was killed."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.exits import exits_cleanly
from reconciler.cli.group import main
from reconciler.cli.locking import target_of
from reconciler.cli.options import (
    target_options,
)
from reconciler.render.escape import terminal_lines
from reconciler.workflows.locking import force_unlock as unlock
from reconciler.workflows.target import with_state_url


@main.command("force-unlock")
@target_options
@exits_cleanly
def force_unlock(
    file: Path, state: Path | None, state_url: str | None, sandbox: bool, env_file: Path
) -> None:
    """Remove the known-state lock of an apply that is gone (refused while it still runs).

    A database's lock needs no removing: the server releases it when its holder's connection
    ends; this says who holds it.
    """
    params = {"file": file, "state": state, "state_url": state_url, "sandbox": sandbox}
    target = with_state_url(target_of({**params, "env_file": env_file}))
    click.echo(terminal_lines(unlock(target)))
