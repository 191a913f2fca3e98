"""``reconciler force-unlock``: remove the lock an apply left behind when it was killed."""

from __future__ import annotations

import click

from reconciler.cli.exits import exits_cleanly
from reconciler.cli.gitops_options import format_option
from reconciler.cli.group import main
from reconciler.cli.target_option import target_option
from reconciler.render.escape import terminal_lines
from reconciler.render.json import render_document
from reconciler.workflows.state_lock import force_unlock as unlock
from reconciler.workflows.target import Target, with_state_url

NOTHING_TO_DO = "nothing to do"


@main.command("force-unlock")
@target_option(lock=False)
@format_option("the document of schema/force-unlock.schema.json")
@exits_cleanly
def force_unlock(target: Target, output_format: str) -> None:
    """Remove the known-state lock of an apply that is gone (refused while it still runs).

    A database's lock needs no removing: the server releases it when its holder's connection
    ends; this says who holds it. An error (a holder still running) is one line on stderr,
    exit 1, with no document.
    """
    target = with_state_url(target)
    message = unlock(target)
    if output_format != "json":
        click.echo(terminal_lines(message))
        return
    document = {
        "format_version": 1,
        "kind": "force-unlock",
        "lock": target.backend().lock_where,
        # Both locks say "nothing to do" when no run held them, and nothing else then.
        "removed": not message.endswith(NOTHING_TO_DO),
        "message": message,
    }
    click.echo(render_document(document), nl=False)
