"""``reconciler apply``: make the planned calls and record each success."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click
from click.core import ParameterSource
from pydantic import SecretStr

from reconciler.apply import ApplyReport, OutcomeListener, apply_plan
from reconciler.cli.exits import EXIT_APPLY_FAILED, console, exits_cleanly
from reconciler.cli.gitops_options import QUIET_OPTION, TARGET_OPTION, binding, targeted
from reconciler.cli.group import main
from reconciler.cli.locking import holds_state_lock
from reconciler.cli.options import planning_options
from reconciler.cli.progress import progress
from reconciler.cli.session import Session, api_target, open_session, print_read_side
from reconciler.client import ApiClient
from reconciler.errors import PlanFileError, SettingsError
from reconciler.guard import check_plan_is_safe
from reconciler.planfile import check_fresh, load_plan
from reconciler.render.drift import render_verification
from reconciler.render.text import render_plan, render_report, summary_line
from reconciler.verify import Verification, verify


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
@holds_state_lock("apply")
def apply(
    plan_file: Path | None,
    file: Path,
    state: Path | None,
    sandbox: bool,
    env_file: Path,
    show_requests: bool,
    refresh: bool,
    create_missing: bool,
    verify_after: bool,
    auto_approve: bool,
    force: bool,
    targets: tuple[str, ...],
    quiet: bool,
) -> None:
    """Show the plan, ask, then make the calls and record each success in the known state.

    With PLAN_FILE (from `reconciler plan --out`), apply that reviewed plan without asking,
    provided the desired file and known state are unchanged since it was saved.
    """
    if plan_file is not None:
        session, sandbox, file = _saved_session(plan_file, env_file)
        auto_approve = True
    else:
        session = targeted(
            open_session(
                file, state, sandbox, env_file, refresh=refresh, create_missing=create_missing
            ),
            targets,
        )
    if not quiet:
        print_read_side(session)
    out = console()
    if not quiet:
        out.print(render_plan(session.plan, show_requests=show_requests))
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
    with (
        api_target(sandbox, file, env_file) as (base_url, api_key),
        progress(len(session.plan.calls), console(stderr=True), quiet=quiet) as listener,
    ):
        report, verification = asyncio.run(_run(session, base_url, api_key, listener, verify_after))
    session.store.save(report.state)
    out.print(render_report(report))
    if verification is not None:
        out.print(render_verification(verification))
    if not report.ok or (verification is not None and not verification.ok):
        sys.exit(EXIT_APPLY_FAILED)


def _saved_session(plan_file: Path, env_file: Path) -> tuple[Session, bool, Path]:
    """Re-plan from the saved plan's inputs; refuse unless they and its calls are unchanged."""
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
    saved = load_plan(plan_file)
    bound = saved.binding
    file = Path(bound.desired_file)
    state = None if bound.state_file is None else Path(bound.state_file)
    # Creating clients is allowed here: check_fresh below refuses any call not in the saved plan.
    session = targeted(
        open_session(file, state, bound.sandbox, env_file, create_missing=True), bound.targets
    )
    check_fresh(saved, binding(session, file, state, bound.sandbox, bound.targets), session.plan)
    return session, bound.sandbox, file


async def _run(
    session: Session,
    base_url: str,
    api_key: SecretStr,
    listener: OutcomeListener,
    verify_after: bool,
) -> tuple[ApplyReport, Verification | None]:
    async with ApiClient(base_url, api_key, session.tool) as client:
        report = await apply_plan(
            session.plan,
            client,
            session.store,
            session.known,
            concurrency=session.tool.concurrency,
            on_outcome=listener,
        )
        return report, (await verify(report, client) if verify_after else None)
