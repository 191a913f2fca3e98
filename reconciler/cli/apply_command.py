"""``reconciler apply``: make the planned calls and record each success."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from reconciler import interrupts
from reconciler.cli.command_inputs import with_inputs
from reconciler.cli.command_secrets import in_play
from reconciler.cli.exits import (
    EXIT_APPLY_FAILED,
    EXIT_ERROR,
    console,
    exits_cleanly,
)
from reconciler.cli.fleet_command import apply_fleet, open_fleet
from reconciler.cli.fleet_options import is_fleet, refuse_beside_fleet
from reconciler.cli.gitops_options import QUIET_OPTION, TARGET_OPTION, format_option
from reconciler.cli.group import main
from reconciler.cli.options import SHARD_OPTION, planning_options
from reconciler.cli.printing import announced, print_plan, print_read_side
from reconciler.cli.progress import Tally, progress, reading_live, shows_failures
from reconciler.cli.target_option import target_option
from reconciler.core.report import ApplyReport, OutcomeListener
from reconciler.core.verification import Verification
from reconciler.errors import LockLost, PlanFileError, SettingsError
from reconciler.render.drift import render_verification
from reconciler.render.json import render_document
from reconciler.render.messages import error_message
from reconciler.render.run_documents import apply_document
from reconciler.render.text import render_report, summary_line
from reconciler.workflows.apply_run import (
    Applied,
    apply_planned,
    check_safe,
    plan_for_apply,
    recorded_since,
)
from reconciler.workflows.fleet_steps import PlanOptions
from reconciler.workflows.session import Inputs, Session, check_api_settings
from reconciler.workflows.target import Target


@main.command()
@click.argument("plan_file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@target_option(fleet=True, beside_file=(SHARD_OPTION,))
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
@format_option(
    "the document of schema/apply.schema.json (the plan and progress go to stderr; needs "
    "--auto-approve or PLAN_FILE)"
)
@exits_cleanly
def apply(plan_file: Path | None, target: Target, shard: str | None, **options: Any) -> None:
    """Show the plan, ask, then make the calls and record each success in the known state.

    With PLAN_FILE (from `reconciler plan --out`), apply that reviewed plan without asking,
    provided the desired file and known state are unchanged since it was saved. With a fleet
    (a folder, or several -f), plan every account, ask once, apply them in parallel.
    """
    if plan_file is not None or not is_fleet(target.files, shard):
        _apply_one(plan_file=plan_file, target=target, **options)
        return
    refuse_beside_fleet(targets=options["targets"], document=options["output_format"])
    fleet = open_fleet(target, shard)
    sys.exit(
        apply_fleet(
            fleet,
            PlanOptions(options["refresh"], options["create_missing"]),
            auto_approve=options["auto_approve"],
            force=options["force"],
            verify_after=options["verify_after"],
            show_requests=options["show_requests"],
            quiet=options["quiet"],
        )
    )


@with_inputs("apply")
def _apply_one(
    plan_file: Path | None,
    show_requests: bool,
    refresh: bool,
    create_missing: bool,
    verify_after: bool,
    auto_approve: bool,
    force: bool,
    targets: tuple[str, ...],
    quiet: bool,
    output_format: str,
    inputs: Inputs,
) -> None:
    """Apply one account (or a saved plan): show the plan, ask, then print what the apply
    did (``workflows.apply_run``)."""
    as_json = output_format == "json"
    if as_json and not (auto_approve or plan_file is not None):
        raise SettingsError("--format json needs --auto-approve (or a saved plan): it never asks")
    if plan_file is not None:
        _refuse_flags_beside(plan_file)
        auto_approve = True
    reading = reading_live(quiet=quiet)
    chosen = plan_for_apply(
        inputs, refresh=refresh, create_missing=create_missing, targets=targets, reading=reading
    )
    session = announced(chosen)
    if session.plan.calls:  # refuse missing settings before showing a plan to approve
        check_api_settings(inputs.target)
    if not quiet:
        print_read_side(session, stderr=as_json)
        print_plan(console(stderr=as_json), session.plan, show_requests=show_requests)
    if session.plan.is_empty:
        if as_json:
            empty = ApplyReport((), session.known)
            click.echo(render_document(apply_document(empty, None)), nl=False)
        elif quiet:
            console().print(summary_line(session.plan))
        return
    check_safe(session, force=force)
    if not auto_approve:
        if not sys.stdin.isatty():
            raise SettingsError("not on a terminal: pass --auto-approve to apply without asking")
        _approved_or_exit()
    watching = partial(_progress, session, quiet=quiet)
    applied = apply_planned(session, inputs.target, watching, verify_after=verify_after)
    _print_applied(applied, as_json=as_json, quiet=quiet)


@contextlib.contextmanager
def _progress(session: Session, total: int, *, quiet: bool) -> Iterator[OutcomeListener]:
    """Progress on stderr while the calls are made; Ctrl-C says how many finished and how
    many are recorded (exit 130, or 143)."""
    with progress(total, console(stderr=True), quiet=quiet) as listener:
        tally = Tally(total, listener)
        try:
            yield tally
        except KeyboardInterrupt:
            interrupts.ignore()  # what follows is the run's last word
            interrupts.leave(tally.interrupted(recorded_since(session)))  # 130, or 143
            raise  # not reached


def _print_applied(applied: Applied, *, as_json: bool, quiet: bool) -> None:
    """What the apply did, and its exit code: 3 when a call failed, a declared field did not
    take or the known state could not be written once calls were made (1 for a lock lost
    before any call)."""
    out = console()
    # On one terminal, the progress output already showed each failure.
    shown = shows_failures(console(stderr=True), quiet=quiet) and out.is_terminal
    if applied.report is not None:
        _report(applied.report, applied.verification, as_json=as_json, list_failures=not shown)
    lost = applied.write_failed
    if isinstance(lost, LockLost):  # the lock or its connection lost: no call after it
        click.echo(f"error: {lost}", err=True)
        click.echo(lost.counts(), err=True)
        sys.exit(EXIT_APPLY_FAILED if lost.made else EXIT_ERROR)
    if lost is not None:  # only ever once a call has succeeded
        click.echo(f"error: {error_message(lost, in_play().redactor)}", err=True)
        sys.exit(EXIT_APPLY_FAILED)
    pace = applied.report.pace if applied.report is not None else None
    pace_note = pace.note() if pace is not None else None
    if pace_note is not None:
        click.echo(f"note: {pace_note}", err=True)
    if not applied.ok:
        sys.exit(EXIT_APPLY_FAILED)


def _report(
    report: ApplyReport,
    verification: Verification | None,
    *,
    as_json: bool,
    list_failures: bool = True,
) -> None:
    """What the apply did, on stdout: as text, or as the apply document."""
    if as_json:
        click.echo(render_document(apply_document(report, verification)), nl=False)
        return
    out = console()
    out.print(render_report(report, list_failures=list_failures))
    if verification is not None:
        out.print(render_verification(verification))


def _approved_or_exit() -> None:
    """Ask, as terraform does: only ``yes``, exactly, applies; any other answer cancels with
    exit 1. Ctrl-C or the end of input here ends the run as an interrupt does (exit 130)."""
    click.echo("\nDo you want to make these calls? Only 'yes' will be accepted to approve.")
    click.echo("  Enter a value: ", nl=False)
    try:
        answer = input()
    except EOFError:
        click.echo()
        interrupts.leave()
    if answer.rstrip("\r") != "yes":
        click.echo("Apply cancelled; nothing applied.", err=True)
        sys.exit(EXIT_ERROR)


def _refuse_flags_beside(plan_file: Path) -> None:
    """A saved plan carries its own inputs: refuse flags that would say otherwise."""
    context = click.get_current_context()
    given = [
        name
        for name in ("file", "shard", "state", "sandbox", "targets")
        if context.get_parameter_source(name) is ParameterSource.COMMANDLINE
    ]
    if given:
        flags = ", ".join("--" + name.removesuffix("s") for name in given)
        raise PlanFileError(
            f"{plan_file}: a saved plan carries its own desired file, known state, sandbox flag "
            f"and targets; drop {flags}"
        )
