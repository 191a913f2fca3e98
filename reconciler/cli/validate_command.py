"""``reconciler validate``: check desired-state files only."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from reconciler.cli.annotations import ERROR_FORMAT_OPTION, annotated
from reconciler.cli.exits import exits_cleanly
from reconciler.cli.gitops_options import format_option
from reconciler.cli.group import main
from reconciler.cli.options import FILES_OPTION, SHARD_OPTION
from reconciler.desired.document import load_desired
from reconciler.desired.secrets_in_play import Snapshot
from reconciler.errors import Problem, ValidationFailed
from reconciler.render.escape import terminal
from reconciler.render.json import render_document
from reconciler.render.run_documents import Checked, validate_document
from reconciler.workflows.fleet_run import Shard, fleet_files
from reconciler.workflows.repository import check_desired_path

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
@format_option("the document of schema/validate.schema.json")
@exits_cleanly
def validate(
    files: tuple[Path, ...],
    file: tuple[Path, ...],
    shard: str | None,
    error_format: str,
    allow_unset_env: bool,
    output_format: str,
) -> None:
    """Check desired-state files only (FILES, or -f; a folder: every *.yaml in it): syntax,
    fields, values, duplicates."""
    given = files or file
    paths = list(given)
    if shard is not None or any(path.is_dir() for path in given):
        chosen = None if shard is None else Shard.parse(shard)
        paths = [path for path in fleet_files(given) if chosen is None or chosen.holds(path.stem)]
    environ = Snapshot(os.environ)  # its secrets found once for every file
    checked = [_check(path, allow_unset_env, environ) for path in paths]
    if output_format == "json":
        click.echo(render_document(validate_document(checked)), nl=False)
    else:
        for item in checked:
            if item.declares is not None:
                click.echo(f"{terminal(item.path)}: valid ({_declares(item.declares)})")
            elif not item.problems:
                click.echo(f"{terminal(item.path)}: valid, apart from unset environment variables")
    problems: list[Problem] = [problem for item in checked for problem in item.problems]
    if problems:
        with annotated(error_format):
            raise ValidationFailed(problems)


def _check(path: Path, allow_unset_env: bool, environ: Snapshot) -> Checked:
    check_desired_path(path)
    try:
        state = load_desired(path, environ).state
    except ValidationFailed as failed:
        found = [p for p in failed.problems if not (allow_unset_env and _UNSET.match(p.message))]
        return Checked(str(path), tuple(found), unset_env=len(found) < len(failed.problems))
    registrations = len(state.sequences.to_register) if state.sequences else 0
    declares = (state.account is not None, len(state.clients), registrations)
    return Checked(str(path), declares=declares)


def _declares(declares: tuple[bool, int, int]) -> str:
    account, clients, registrations = declares
    return (
        f"{'1 account' if account else 'no account'}, {_count(clients, 'client')}, "
        f"{_count(registrations, 'sequence')} to register"
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
