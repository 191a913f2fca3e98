"""``reconciler show PLANFILE``: a saved plan as text, JSON or Markdown, and its freshness."""

from __future__ import annotations

import json
from pathlib import Path

import click

from reconciler.cli.exits import console, exits_cleanly
from reconciler.cli.group import main
from reconciler.cli.locking import target_of
from reconciler.cli.options import ENV_FILE_OPTION, STATE_URL_OPTION
from reconciler.cli.printing import print_plan
from reconciler.render.escape import json_text, terminal
from reconciler.render.markdown import render_markdown
from reconciler.workflows.show import Shown, show_saved_plan


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
@STATE_URL_OPTION
@ENV_FILE_OPTION
@exits_cleanly
def show(
    plan_file: Path,
    output_format: str,
    show_requests: bool,
    state_url: str | None,
    env_file: Path,
) -> None:
    """Show a saved plan (from `reconciler plan --out`) and whether the desired file and known
    state still match it, without reaching the API. Freshness goes to stderr with --format
    json or markdown, so stdout is the plan alone."""
    params = {"file": plan_file, "state_url": state_url, "env_file": env_file}
    shown = show_saved_plan(plan_file, target_of(params))
    if output_format == "json":
        click.echo(json_text(json.dumps(shown.saved.document, indent=2, ensure_ascii=False)))
    elif output_format == "markdown":
        click.echo(render_markdown(shown.plan), nl=False)
    else:
        print_plan(console(), shown.plan, show_requests=show_requests)
    click.echo(terminal(freshness(shown)), err=output_format != "text")


def freshness(shown: Shown) -> str:
    """One line: whether ``apply PLANFILE`` would accept the plan's inputs, and why not."""
    bound = shown.saved.binding
    if not shown.stale:
        return (
            f"Fresh: {bound.desired_file} and the known state are as they were when the plan "
            f"was saved; apply it with: reconciler apply {shown.saved.path}"
        )
    return "Stale: " + "; ".join(shown.stale) + "; make a new one with `reconciler plan --out`"
