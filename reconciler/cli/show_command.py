"""``reconciler show PLANFILE``: a saved plan as text, JSON or Markdown, and its freshness."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import click

from reconciler.cli.exits import EXIT_CHANGES, console, exits_cleanly
from reconciler.cli.group import main
from reconciler.cli.printing import print_plan
from reconciler.cli.target_option import target_option
from reconciler.render.escape import json_text, terminal
from reconciler.render.markdown import render_markdown
from reconciler.storage.saved_plans import SavedBackend
from reconciler.workflows.show import Shown, show_saved_plan
from reconciler.workflows.target import Target


@main.command()
@click.argument("plan_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="text for people, json (the plan document) for tools, markdown for a pull request.",
)
@click.option("--show-requests", is_flag=True, help="Also show each HTTP request and body.")
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when the plan is stale, 0 when it is fresh (1: it could not be read).",
)
@target_option(saved_plan="plan_file")
@exits_cleanly
def show(
    plan_file: Path,
    output_format: str,
    show_requests: bool,
    detailed_exitcode: bool,
    target: Target,
) -> None:
    """Show a saved plan (from `reconciler plan --out`) and whether the desired file and known
    state still match it, without reaching the API. Freshness goes to stderr with --format
    json or markdown, so stdout is the plan alone. The plan is judged against the known state
    it was made with (the database it records, or the file)."""
    shown = show_saved_plan(plan_file, target)
    if output_format == "json":
        click.echo(json_text(json.dumps(shown.saved.document, indent=2, ensure_ascii=False)))
    elif output_format == "markdown":
        click.echo(render_markdown(shown.plan), nl=False)
    else:
        print_plan(console(), shown.plan, show_requests=show_requests)
    click.echo(terminal(freshness(shown, target.env_file)), err=output_format != "text")
    if detailed_exitcode and shown.stale:
        sys.exit(EXIT_CHANGES)


def freshness(shown: Shown, env_file: Path | None = None) -> str:
    """One line: whether ``apply PLANFILE`` would accept the plan's inputs, and why not; when
    it would, the whole command that applies it, and where its known state is."""
    bound = shown.saved.binding
    if shown.stale:
        return "Stale: " + "; ".join(shown.stale) + "; make a new one with `reconciler plan --out`"
    command = f"reconciler apply {shlex.quote(str(shown.saved.path))}"
    if env_file is not None:
        command += f" --env-file {shlex.quote(str(env_file))}"
    return (
        f"Fresh: {bound.desired_file} and the known state ({shown.state_where}) are as they "
        f"were when the plan was saved; apply it with: {command}{_needs(bound.backend)}"
    )


def _needs(backend: SavedBackend | None) -> str:
    """What the apply command needs from the environment besides the plan."""
    if backend is None:
        return " (with the same --state-url or RECONCILER_STATE_URL, if the plan used one)"
    if backend.variable is not None:
        return f" ({backend.variable} set as now, for the database's password)"
    return ""
