"""``reconciler schema``: the JSON Schema of the desired-state file, for editors."""

from __future__ import annotations

import click

from reconciler.cli.group import main
from reconciler.desired.schema import render_schema


@main.command()
def schema() -> None:
    """Print the JSON Schema of the desired-state file (for yaml-language-server and editors)."""
    click.echo(render_schema(), nl=False)
