"""Options of the GitOps features that plan and apply share: targets and quiet."""

from __future__ import annotations

import click

TARGET_OPTION = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="RESOURCE",
    help="Limit to a resource: account, sequences, client:<id>, registration:<id>, "
    "default_sequence (repeatable).",
)
QUIET_OPTION = click.option(
    "-q", "--quiet", is_flag=True, help="Print only errors and the final summary."
)
