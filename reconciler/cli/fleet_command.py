"""``plan`` and ``apply`` of a fleet (its ``refresh`` is in ``fleet_refresh``): a heading per
account, one question for the whole fleet, and the accounts' worst exit code (1 > 3 > 2 > 0).

Text output streams: each account's section is printed as the account ends, in completion
order, and nothing of it is kept but its exit code and counts. The JSON and Markdown documents
are printed whole at the end, in the accounts' order; each account's part of them is built as it
ends and its plan dropped. Errors are printed on stderr at the end, each distinct one once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import TypeVar

import click
from rich.console import Console

from reconciler.cli.command_inputs import lock_left_behind
from reconciler.cli.command_secrets import in_play
from reconciler.cli.exits import (
    EXIT_APPLY_FAILED,
    EXIT_CHANGES,
    EXIT_ERROR,
    EXIT_OK,
    console,
    worst_exit,
)
from reconciler.cli.fleet_inputs import claimed_fleet, keep_secrets
from reconciler.cli.fleet_output import Failures, Tally
from reconciler.cli.printing import print_plan
from reconciler.cli.progress import FleetProgress
from reconciler.core.fleet_document import FleetEntry
from reconciler.errors import LockLost, SettingsError
from reconciler.render.counts import counted
from reconciler.render.drift import render_refresh, render_verification
from reconciler.render.escape import terminal
from reconciler.render.json import FleetJson
from reconciler.render.markdown import FleetMarkdown
from reconciler.render.messages import error_message
from reconciler.render.text import account_heading, render_report, summary_line
from reconciler.workflows.apply_run import Applied
from reconciler.workflows.fleet_run import (
    Account,
    AccountRun,
    fleet_accounts,
    load_fleet,
    reach_databases,
    run_accounts,
    unattempted,
)
from reconciler.workflows.fleet_steps import (
    PlanOptions,
    apply_held,
    calls_digest,
    plan_account,
    plan_held,
    plan_to_approve,
)
from reconciler.workflows.session import Inputs, Session
from reconciler.workflows.shard_auto import AutoShard, Claims, parse_shard
from reconciler.workflows.target import Target

R = TypeVar("R")


@dataclass(frozen=True)
class Fleet:
    """The accounts a fleet command works on, their inputs read (or, with ``--shard auto``,
    read as each is taken), and how many run at once."""

    loaded: list[AccountRun[Inputs]] | Claims[Inputs]
    at_once: int


def open_fleet(template: Target, shard: str | None) -> Fleet:
    """The fleet's accounts (this shard's of the files ``template`` names), each one's target
    made from ``template`` and its inputs read once, and every secret they configure added to
    those redacted from output."""
    if template.state is not None:
        raise SettingsError("--state names one file: a fleet keeps one known state per account")
    chosen = None if shard is None else parse_shard(shard)
    at_once = template.tool_settings().accounts_at_once
    if isinstance(chosen, AutoShard):
        return Fleet(claimed_fleet(template), at_once)
    accounts = fleet_accounts(template.files, chosen, template)
    if not accounts:
        click.echo(
            f"note: shard {terminal(str(shard))} holds none of the fleet's accounts", err=True
        )
    loaded = load_fleet(accounts)
    secrets = in_play()
    for run in loaded:
        keep_secrets(secrets, run.account, run.result)
    return Fleet(loaded, at_once)


def fleet_heading(account: Account) -> str:
    return account_heading(account.name, str(account.target.file))


def ended_section(run: AccountRun[R], out: Console, tally: Tally, failures: Failures) -> R | None:
    """An ended account's heading and what it returned; None, its exit code tallied, when it
    was not attempted (no section) or failed (its error kept for the end)."""
    if not run.attempted:
        tally.skipped.append(run.account.name)
        tally.codes.append(EXIT_ERROR)
        return None
    out.print(fleet_heading(run.account))
    if run.result is None:
        assert run.error is not None
        failures.add(run.account.name, run.error)
        out.print("failed: see the error on stderr\n")
        tally.codes.append(EXIT_ERROR)
    return run.result


def fleet_runs(
    fleet: Fleet, failures: Failures, step: Callable[[Account, Inputs], R]
) -> Iterator[AccountRun[R]]:
    """Each account's run of ``step``, as it ends: none started when a known-state database
    can't be reached (one connection tried, one error). Accounts taken as the run goes
    (``--shard auto``) reach the database as each is taken."""
    if isinstance(fleet.loaded, Claims):
        return run_accounts(fleet.loaded, step, fleet.at_once)
    unreachable = reach_databases(fleet.loaded)
    if unreachable is not None:
        failures.add_fleet(unreachable)
        return iter(unattempted(fleet.loaded))
    return run_accounts(fleet.loaded, step, fleet.at_once)


def _drifted(session: Session) -> bool:
    refreshed = session.prepared.refreshed if session.prepared is not None else None
    return refreshed is not None and refreshed.drifted


def plan_fleet(
    fleet: Fleet,
    options: PlanOptions,
    *,
    output_format: str,
    show_requests: bool,
    quiet: bool,
    detailed_exitcode: bool,
    error_format: str = "text",
) -> int:
    """Plan every account; print each one's plan as it ends (text) or the fleet's document;
    the worst exit code."""
    failures, tally, out = Failures(error_format), Tally(), console()
    listed = [] if isinstance(fleet.loaded, Claims) else fleet.loaded
    order = {run.account.name: index for index, run in enumerate(listed)}
    document = _document(output_format, None if isinstance(fleet.loaded, Claims) else len(listed))
    for run in fleet_runs(fleet, failures, lambda account, inputs: plan_account(inputs, options)):
        if run.error is not None:
            failures.add(run.account.name, run.error)
        session = run.result
        error = None if run.error is None else in_play().redactor(str(run.error))
        plan = session.plan if session is not None else None
        entry = FleetEntry(run.account.name, str(run.account.target.file), plan, error)
        if document is not None:
            where = order.get(run.account.name, len(order))
            document.add((where, run.account.name), replace(entry, attempted=run.attempted))
        elif run.attempted:
            out.print(fleet_heading(run.account))
            _print_planned(out, session, quiet=quiet, show_requests=show_requests)
        if not run.attempted:
            tally.skipped.append(run.account.name)
        if session is None:
            tally.codes.append(EXIT_ERROR)
            continue
        tally.changed += not session.plan.is_empty
        tally.calls += len(session.plan.calls)
        tally.in_sync += session.plan.is_empty
        pending = not session.plan.is_empty or _drifted(session)
        tally.codes.append(EXIT_CHANGES if detailed_exitcode and pending else EXIT_OK)
    failures.print()
    if document is not None:
        click.echo(document.text(), nl=False)
    else:
        tally.stopped(out)
        out.print(
            f"Fleet: {counted(len(tally.codes), 'account')}: {tally.changed} with changes "
            f"({counted(tally.calls, 'call')}), {tally.in_sync} in sync, {tally.failed()} failed"
            f"{tally.not_attempted()}."
        )
    return worst_exit(tally.codes)


def _document(output_format: str, accounts: int | None) -> FleetJson | FleetMarkdown | None:
    """The fleet document to build as accounts end, keeping only its text of each account."""
    if output_format == "json":
        return FleetJson()
    if output_format == "markdown":
        return FleetMarkdown(accounts)
    return None


def _print_planned(
    out: Console, session: Session | None, *, quiet: bool, show_requests: bool
) -> None:
    if session is None:
        out.print("failed: see the error on stderr\n")
    elif quiet:
        out.print(summary_line(session.plan) + "\n")
    else:
        if session.prepared and session.prepared.refreshed:
            out.print(render_refresh(session.prepared.refreshed))
        print_plan(out, session.plan, show_requests=show_requests)


def apply_fleet(
    fleet: Fleet,
    options: PlanOptions,
    *,
    auto_approve: bool,
    force: bool,
    verify_after: bool,
    show_requests: bool,
    quiet: bool,
) -> int:
    """Apply every account, printing each one's section as it ends; the worst exit code.

    With ``auto_approve`` each account goes from its lock to its last call on its own, never
    holding one account's lock while waiting for another's. Otherwise every account is planned
    without its lock, the plans shown, and the question asked once; then each account is
    locked and planned again, and applied only if it gives the calls approved.
    """
    shown, failures, tally = FleetProgress(console(stderr=True), quiet=quiet), Failures(), Tally()

    def apply_now(account: Account, inputs: Inputs, approved: str | None = None) -> Applied:
        pending = plan_held(inputs, options, force=force, approved=approved)
        return apply_held(pending, partial(shown.account, account.name), verify_after=verify_after)

    if auto_approve:
        with shown.shown():
            runs = fleet_runs(fleet, failures, apply_now)
            _print_applied(runs, tally, failures, show_plan=not quiet, show_requests=show_requests)
        return _applied_line(tally, failures)
    if isinstance(fleet.loaded, Claims):
        raise SettingsError("--shard auto applies each account as it takes it: pass --auto-approve")
    if not sys.stdin.isatty():
        raise SettingsError("not on a terminal: pass --auto-approve to apply without asking")
    approved = _plans_shown(
        fleet, options, failures, tally, force=force, show_requests=show_requests
    )
    if not approved or tally.skipped:
        return _applied_line(tally, failures)
    if not _approved(len(approved)):
        failures.print()
        click.echo("Apply cancelled; nothing applied.", err=True)
        return EXIT_ERROR
    inputs = {run.account.name: run.result for run in fleet.loaded}
    chosen = [AccountRun(run.account, inputs[run.account.name]) for run in approved]
    digests = {run.account.name: run.result for run in approved}

    def apply_approved(account: Account, given: Inputs | None) -> Applied:
        assert given is not None
        return apply_now(account, given, digests[account.name])

    with shown.shown():
        _print_applied(
            run_accounts(chosen, apply_approved, fleet.at_once),
            tally,
            failures,
            show_plan=False,
            show_requests=False,
        )
    return _applied_line(tally, failures)


def _plans_shown(
    fleet: Fleet,
    options: PlanOptions,
    failures: Failures,
    tally: Tally,
    *,
    force: bool,
    show_requests: bool,
) -> list[AccountRun[str]]:
    """Plan every account without its lock and show each plan as it ends; the accounts with
    calls to approve, each with its plan's ``calls_digest`` (the others are tallied done)."""
    out, approved = console(), []
    step = lambda account, inputs: plan_to_approve(inputs, options, force=force)  # noqa: E731
    for run in fleet_runs(fleet, failures, step):
        if not run.attempted:
            tally.skipped.append(run.account.name)
        if run.error is not None:
            failures.add(run.account.name, run.error)
        if run.result is None:
            tally.codes.append(EXIT_ERROR)
            continue
        out.print(fleet_heading(run.account))
        print_plan(out, run.result.plan, show_requests=show_requests)
        if run.result.plan.is_empty:
            tally.codes.append(EXIT_OK)
        else:
            approved.append(AccountRun(run.account, calls_digest(run.result.plan)))
    return approved


def _approved(accounts: int) -> bool:
    """Ask once for the whole fleet, as for one account: only ``yes`` applies."""
    noun = "account" if accounts == 1 else "accounts"
    click.echo(
        f"\nDo you want to make these calls to {accounts} {noun}? "
        "Only 'yes' will be accepted to approve."
    )
    answer = click.prompt("Enter a value", default="", show_default=False)
    return bool(answer.strip() == "yes")


def _print_applied(
    runs: Iterator[AccountRun[Applied]],
    tally: Tally,
    failures: Failures,
    *,
    show_plan: bool,
    show_requests: bool,
) -> None:
    """Each account's section as it ends; only its exit code is kept."""
    out = console()
    for run in runs:
        applied = ended_section(run, out, tally, failures)
        if applied is not None:
            tally.codes.append(
                _applied_section(out, run.account, applied, show_plan, show_requests)
            )


def _applied_section(
    out: Console, account: Account, applied: Applied, show_plan: bool, show_requests: bool
) -> int:
    """What applying one account did, as its section shows it; its exit code."""
    if applied.left_behind is not None:
        note = lock_left_behind(applied.left_behind)
        click.echo(f"note: {terminal(account.name)}: {terminal(note)}", err=True)
    lost = applied.write_failed
    if show_plan:
        print_plan(out, applied.session.plan, show_requests=show_requests)
    if applied.report is not None and lost is None:
        out.print(render_report(applied.report))
    elif lost is None and not show_plan:
        out.print(summary_line(applied.session.plan))
    if lost is not None:
        message = error_message(lost, in_play().redactor)
        click.echo(f"error: {terminal(account.name)}: {message}", err=True)
        if isinstance(lost, LockLost):
            out.print(f"error: {message}")
            out.print(lost.counts())
            return EXIT_APPLY_FAILED if lost.made else EXIT_ERROR
    if applied.verification is not None and lost is None:
        out.print(render_verification(applied.verification))
    return EXIT_OK if applied.ok else EXIT_APPLY_FAILED


def _applied_line(tally: Tally, failures: Failures) -> int:
    """The fleet's last line and its errors; the worst exit code."""
    failures.print()
    out = console()
    tally.stopped(out)
    converged = sum(1 for code in tally.codes if code == EXIT_OK)
    attempted = len(tally.codes) - len(tally.skipped)
    out.print(
        f"Fleet: {counted(len(tally.codes), 'account')}: {converged} converged, "
        f"{attempted - converged} not{tally.not_attempted()}."
    )
    return worst_exit(tally.codes)
