"""``reconciler plan``: the dry run."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import click

from reconciler.cli.annotations import ERROR_FORMAT_OPTION, annotates_errors
from reconciler.cli.command_inputs import with_inputs
from reconciler.cli.exits import EXIT_CHANGES, exits_cleanly
from reconciler.cli.fleet_options import is_fleet, refuse_beside_fleet
from reconciler.cli.gitops_options import QUIET_OPTION, TARGET_OPTION
from reconciler.cli.group import main
from reconciler.cli.options import SHARD_OPTION, planning_options
from reconciler.cli.printing import announced, print_read_side, show_plan, show_summary
from reconciler.cli.target_option import target_option
from reconciler.core.guard import unsafe_reasons
from reconciler.render.escape import terminal
from reconciler.workflows.plan_run import binding, check_plan_out, targeted
from reconciler.workflows.session import Inputs, open_session
from reconciler.workflows.target import Target


@main.command()
@target_option(fleet=True, beside_file=(SHARD_OPTION,))
@planning_options
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when changes are pending (or, with --refresh, drift was found), 0 when none.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="text for people, json for tools, markdown for a pull-request comment.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also save the plan to this file, for `reconciler apply FILE`.",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --out: write the plan even over a file that is not a saved plan.",
)
@TARGET_OPTION
@QUIET_OPTION
@ERROR_FORMAT_OPTION
@exits_cleanly
def plan(target: Target, shard: str | None, **options: Any) -> None:
    """Show, as a dry run, exactly the API calls an apply would make."""
    if not is_fleet(target.files, shard):
        _plan_one(target=target, **options)
        return
    refuse_beside_fleet(out=options["out"], targets=options["targets"])
    from reconciler.cli.fleet_command import open_fleet, plan_fleet  # a fleet's modules
    from reconciler.workflows.fleet_steps import PlanOptions

    fleet = open_fleet(target, shard)
    sys.exit(
        plan_fleet(
            fleet,
            PlanOptions(options["refresh"], options["create_missing"]),
            output_format=options["output_format"],
            show_requests=options["show_requests"],
            quiet=options["quiet"],
            detailed_exitcode=options["detailed_exitcode"],
            error_format=options["error_format"],
        )
    )


@annotates_errors
@with_inputs("plan --refresh", locks=lambda params: bool(params["refresh"]))
def _plan_one(
    show_requests: bool,
    refresh: bool,
    create_missing: bool,
    detailed_exitcode: bool,
    output_format: str,
    out: Path | None,
    force: bool,
    targets: tuple[str, ...],
    quiet: bool,
    error_format: str,
    inputs: Inputs,
) -> None:
    """Plan one account."""
    assert inputs.desired is not None  # loaded for every plan
    if out is not None and not force:
        check_plan_out(out, inputs.target)
    chosen = open_session(
        inputs.target,
        inputs.desired,
        refresh=refresh,
        create_missing=create_missing,
        reading=_reading_live(quiet),
    )
    session = announced(targeted(chosen, targets))
    if out is not None:
        from reconciler.storage.saved_plans import save_plan

        save_plan(out, session.plan, binding(session, inputs.target, targets))
        saved = terminal(str(out))
        click.echo(f"Saved the plan to {saved}; apply it with: reconciler apply {saved}", err=True)
    # What reading the live account found goes to stderr when stdout carries JSON or markdown.
    drifted = print_read_side(session, stderr=output_format != "text", quiet=quiet)
    for reason in unsafe_reasons(
        session.plan, session.known, max_fraction=session.tool.max_change_fraction
    ):
        warning = f"warning: apply will refuse this plan without --force: {terminal(reason)}"
        click.echo(warning, err=True)
    if output_format == "json":
        from reconciler.render.json import render_json

        click.echo(render_json(session.plan), nl=False)
    elif output_format == "markdown":
        from reconciler.render.links import source_links
        from reconciler.render.markdown import render_markdown

        links = source_links(os.environ, Path.cwd())
        click.echo(render_markdown(session.plan, links=links), nl=False)
    elif quiet:
        show_summary(session.plan)
    else:
        show_plan(session.plan, show_requests=show_requests)
    if detailed_exitcode and (drifted or not session.plan.is_empty):
        sys.exit(EXIT_CHANGES)


def _reading_live(quiet: bool) -> Callable[[], AbstractContextManager[None]]:
    """What to show while the live account is read (``progress.reading_live``), its module
    imported only when the live account is read: a plan without look-ups never is."""

    def shown() -> AbstractContextManager[None]:
        from reconciler.cli.progress import reading_live

        return reading_live(quiet=quiet)()

    return shown
