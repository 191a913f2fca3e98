"""``reconciler validate``: check desired-state files only."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from reconciler.cli.annotations import ERROR_FORMAT_OPTION, annotated
from reconciler.cli.exits import exits_cleanly
from reconciler.cli.group import main
from reconciler.cli.options import FILES_OPTION, SHARD_OPTION
from reconciler.desired.document import load_desired
from reconciler.errors import Problem, ValidationFailed
from reconciler.workflows.fleet import Shard, fleet_files

# What envexpand reports for ${NAME} with NAME unset; --allow-unset-env lets it pass.
_UNSET = re.compile(r"environment variable \w+ is not set")


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@FILES_OPTION
@SHARD_OPTION
@ERROR_FORMAT_OPTION
@click.option(
    "--allow-unset-env",
    is_flag=True,
    help="Don't fail on ${NAME} whose variable is unset (e.g. secrets in a pre-commit hook); "
    "the values that use it go unchecked.",
)
@exits_cleanly
def validate(
    files: tuple[Path, ...],
    file: tuple[Path, ...],
    shard: str | None,
    error_format: str,
    allow_unset_env: bool,
) -> None:
    """Check desired-state files only (FILES, or -f; a folder: every *.yaml in it): syntax,
    fields, values, duplicates."""
    problems: list[Problem] = []
    given = files or file
    paths = list(given)
    if shard is not None or any(path.is_dir() for path in given):
        chosen = None if shard is None else Shard.parse(shard)
        paths = [path for path in fleet_files(given) if chosen is None or chosen.holds(path.stem)]
    for path in paths:
        try:
            state = load_desired(path, os.environ).state
        except ValidationFailed as failed:
            found = [
                p for p in failed.problems if not (allow_unset_env and _UNSET.match(p.message))
            ]
            problems.extend(found)
            if not found:
                click.echo(f"{path}: valid, apart from unset environment variables")
            continue
        registrations = len(state.sequences.to_register) if state.sequences else 0
        click.echo(
            f"{path}: valid ({'1 account' if state.account else 'no account'}, "
            f"{_count(len(state.clients), 'client')}, "
            f"{_count(registrations, 'sequence')} to register)"
        )
    if problems:
        with annotated(error_format):
            raise ValidationFailed(problems)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
