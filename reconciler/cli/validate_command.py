"""``reconciler validate``: check the desired-state file only."""

from __future__ import annotations

import os
from pathlib import Path

import click

from reconciler.cli.annotations import ERROR_FORMAT_OPTION, annotated
from reconciler.cli.exits import exits_cleanly
from reconciler.cli.group import main
from reconciler.cli.options import FILE_OPTION
from reconciler.desired import load_desired


@main.command()
@FILE_OPTION
@ERROR_FORMAT_OPTION
@exits_cleanly
def validate(file: Path, error_format: str) -> None:
    """Check the desired-state file only: syntax, fields, values, duplicates."""
    with annotated(error_format):
        state = load_desired(file, os.environ).state
    registrations = len(state.sequences.to_register) if state.sequences else 0
    click.echo(
        f"{file}: valid ({'1 account' if state.account else 'no account'}, "
        f"{len(state.clients)} clients, {registrations} sequences to register)"
    )
