"""``reconciler apply``: make the planned calls and record each success."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from reconciler.cli.exits import EXIT_APPLY_FAILED, console, exits_cleanly
from reconciler.cli.gitops_options import QUIET_OPTION, TARGET_OPTION
from reconciler.cli.group import main
from reconciler.cli.locking import with_inputs
from reconciler.cli.options import planning_options
from reconciler.cli.printing import announced, print_plan, print_read_side
from reconciler.cli.progress import progress, shows_failures
from reconciler.core.guard import check_plan_is_safe
from reconciler.errors import PlanFileError, SettingsError, StateWriteError
from reconciler.render.drift import render_verification
from reconciler.render.text import render_report, summary_line
from reconciler.workflows.apply import apply_and_verify, forget_unmanaged, save_applied
from reconciler.workflows.plan import session_for_saved_plan, targeted
from reconciler.workflows.session import Inputs, api_target, open_session


@main.command()
@click.argument("plan_file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@planning_options
@click.option(
    "--verify",
    "verify_after",
    is_flag=True,
    help="Read back each resource applied; exit 3 if a declared field did not take.",
)
@click.option(
    "--auto-approve", is_flag=True, help="Apply without asking (required off a terminal)."
)
@click.option("--force", is_flag=True, help="Apply even what the safety guard refuses.")
@TARGET_OPTION
@QUIET_OPTION
@exits_cleanly
@with_inputs("apply")
def apply(
    plan_file: Path | None,
    file: Path,
    state: Path | None,
    state_url: str | None,
    sandbox: bool,
    env_file: Path,
    lock_timeout: float,
    show_requests: bool,
    refresh: bool,
    create_missing: bool,
    verify_after: bool,
    auto_approve: bool,
    force: bool,
    targets: tuple[str, ...],
    quiet: bool,
    inputs: Inputs,
) -> None:
    """Show the plan, ask, then make the calls and record each success in the known state.

    With PLAN_FILE (from `reconciler plan --out`), apply that reviewed plan without asking,
    provided the desired file and known state are unchanged since it was saved.
    """
    if plan_file is not None:
        _refuse_flags_beside(plan_file)
        session = announced(session_for_saved_plan(inputs))
        auto_approve = True
    else:
        assert inputs.desired is not None  # loaded for every apply
        chosen = open_session(
            inputs.target, inputs.desired, refresh=refresh, create_missing=create_missing
        )
        session = announced(targeted(chosen, targets))
    if not quiet:
        print_read_side(session)
    out = console()
    if not quiet:
        print_plan(out, session.plan, show_requests=show_requests)
    if session.plan.is_empty:
        if quiet:
            out.print(summary_line(session.plan))
        return
    if not force:
        check_plan_is_safe(
            session.plan, session.known, max_fraction=session.tool.max_change_fraction
        )
    if not auto_approve:
        if not sys.stdin.isatty():
            raise SettingsError("not on a terminal: pass --auto-approve to apply without asking")
        if not click.confirm("Apply these calls?", default=False):
            click.echo("Nothing applied.")
            return
    if not session.plan.calls:  # only records to drop: no call, nothing to report on
        report = forget_unmanaged(session.plan, session.known)
        out.print(render_report(report))
        session.store.save(report.state)
        return
    try:
        with (
            api_target(inputs.target) as (base_url, api_key),
            progress(len(session.plan.calls), console(stderr=True), quiet=quiet) as listener,
        ):
            report, verification = asyncio.run(
                apply_and_verify(session, base_url, api_key, listener, verify_after)
            )
        # On one terminal, the progress output above already showed each failure.
        shown = shows_failures(console(stderr=True), quiet=quiet) and out.is_terminal
        out.print(render_report(report, list_failures=not shown))
        save_applied(session.store, report.state)
    except StateWriteError as error:  # only ever raised once a call has succeeded
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_APPLY_FAILED)
    if verification is not None:
        out.print(render_verification(verification))
    if not report.ok or (verification is not None and not verification.ok):
        sys.exit(EXIT_APPLY_FAILED)


def _refuse_flags_beside(plan_file: Path) -> None:
    """A saved plan carries its own inputs: refuse flags that would say otherwise."""
    context = click.get_current_context()
    given = [
        name
        for name in ("file", "state", "sandbox", "targets")
        if context.get_parameter_source(name) is ParameterSource.COMMANDLINE
    ]
    if given:
        flags = ", ".join("--" + name.removesuffix("s") for name in given)
        raise PlanFileError(
            f"{plan_file}: a saved plan carries its own desired file, known state, sandbox flag "
            f"and targets; drop {flags}"
        )
