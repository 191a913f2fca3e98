"""What ``refresh`` says before writing live values into a known state, and its question."""

from __future__ import annotations

import click

from reconciler.render.counts import counted
from reconciler.workflows.refresh import ReadRefresh

NOT_WRITTEN = (
    "nothing written to the known state; pass --auto-approve to write the live "
    "values (or answer yes on a terminal)"
)


def would_write(read: ReadRefresh, where: str) -> str:
    """One line: the records the live values would change, and where they are kept."""
    return (
        f"Refresh would write the live values of {counted(len(read.changed), 'resource')} into "
        f"the known state ({where}): {', '.join(read.changed)}."
    )


def approved(what: str) -> bool:
    """Ask on the terminal whether to write ``what``: only ``yes`` approves; anything else is
    said to cancel the refresh, nothing written."""
    click.echo(f"\nDo you want to write {what}? Only 'yes' will be accepted to approve.")
    if click.prompt("Enter a value", default="", show_default=False).strip() != "yes":
        click.echo("Refresh cancelled; nothing written.", err=True)
        return False
    return True
