"""Options of the GitOps features that plan and apply share: targets and quiet."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click

P = ParamSpec("P")
R = TypeVar("R")

TARGET_OPTION = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="RESOURCE",
    help="Limit to a resource: account, sequences, client:<id>, registration:<id>, "
    "default_sequence, taxes, tax:<id or name>, items, item:<id or name> (repeatable).",
)
QUIET_OPTION = click.option(
    "-q", "--quiet", is_flag=True, help="Print only errors and the final summary."
)


def format_option(json_is: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """``--format text|json``; ``json_is`` says which document json prints."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help=f"text for people; json for tools: {json_is}.",
    )
