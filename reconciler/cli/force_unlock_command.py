"""``reconciler force-unlock``: remove the lock an apply left behind when it was killed."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.command_inputs import target_of
from reconciler.cli.exits import exits_cleanly
from reconciler.cli.gitops_options import format_option
from reconciler.cli.group import main
from reconciler.cli.options import (
    target_options,
)
from reconciler.render.escape import terminal_lines
from reconciler.render.json import render_document
from reconciler.storage.lock import StateLock
from reconciler.workflows.locking import force_unlock as unlock
from reconciler.workflows.target import Target, with_state_url

NOTHING_TO_DO = "nothing to do"


@main.command("force-unlock")
@target_options
@format_option("the document of schema/force-unlock.schema.json")
@exits_cleanly
def force_unlock(
    file: Path,
    state: Path | None,
    state_url: str | None,
    sandbox: bool,
    env_file: Path,
    output_format: str,
) -> None:
    """Remove the known-state lock of an apply that is gone (refused while it still runs).

    A database's lock needs no removing: the server releases it when its holder's connection
    ends; this says who holds it. An error (a holder still running) is one line on stderr,
    exit 1, with no document.
    """
    params = {"file": file, "state": state, "state_url": state_url, "sandbox": sandbox}
    target = with_state_url(target_of({**params, "env_file": env_file}))
    message = unlock(target)
    if output_format != "json":
        click.echo(terminal_lines(message))
        return
    document = {
        "format_version": 1,
        "kind": "force-unlock",
        "lock": _lock_of(target),
        # Both locks say "nothing to do" when no run held them, and nothing else then.
        "removed": not message.endswith(NOTHING_TO_DO),
        "message": message,
    }
    click.echo(render_document(document), nl=False)


def _lock_of(target: Target) -> str:
    """The lock's file, or the database (password hidden) and account whose lock it is."""
    if target.state_url is None:
        return str(StateLock(target.state_path).lock_path)
    return target.database_store().where
