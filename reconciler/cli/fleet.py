"""``plan``, ``apply`` and ``refresh`` of a fleet: a heading per account, one question for the
whole fleet, and the accounts' worst exit code (1 > 3 > 2 > 0)."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import click

from reconciler.cli.annotations import annotations_of
from reconciler.cli.exits import (
    EXIT_APPLY_FAILED,
    EXIT_CHANGES,
    EXIT_ERROR,
    EXIT_OK,
    console,
    worst_exit,
)
from reconciler.cli.locking import lock_left_behind
from reconciler.cli.printing import print_plan
from reconciler.cli.redaction import in_play
from reconciler.core.fleet_document import FleetEntry
from reconciler.core.report import Outcome, OutcomeListener
from reconciler.errors import SettingsError
from reconciler.render.drift import render_refresh, render_verification
from reconciler.render.escape import terminal
from reconciler.render.json import render_fleet_json
from reconciler.render.markdown import render_fleet_markdown
from reconciler.render.messages import error_message
from reconciler.render.text import account_heading, describe, render_report, summary_line
from reconciler.workflows.fleet import (
    Account,
    AccountRun,
    Shard,
    fleet_accounts,
    load_fleet,
    run_accounts,
)
from reconciler.workflows.fleet_steps import (
    Applied,
    Pending,
    PlanOptions,
    apply_held,
    plan_account,
    plan_held,
    refresh_fleet_account,
)
from reconciler.workflows.session import Inputs, Session, declared_secrets
from reconciler.workflows.target import Target

T = TypeVar("T")


@dataclass(frozen=True)
class Fleet:
    """The accounts a fleet command works on, their inputs read, and how many run at once."""

    loaded: list[AccountRun[Inputs]]
    at_once: int


def open_fleet(files: Sequence[Path], shard: str | None, template: Target) -> Fleet:
    """The fleet's accounts (this shard's), each one's inputs read once, and every secret they
    configure added to those redacted from output."""
    if template.state is not None:
        raise SettingsError("--state names one file: a fleet keeps one known state per account")
    chosen = None if shard is None else Shard.parse(shard)
    accounts = fleet_accounts(files, chosen, template)
    at_once = template.tool_settings().accounts_at_once
    if not accounts:
        click.echo(
            f"note: shard {terminal(str(shard))} holds none of the fleet's accounts", err=True
        )
    loaded = load_fleet(accounts)
    secrets = in_play()
    for run in loaded:
        with contextlib.suppress(SettingsError):
            secrets.add(run.account.target.api_settings().api_key)
        with contextlib.suppress(SettingsError):
            secrets.add(run.account.target.tool_settings().digest_key)
        if run.result is not None and run.result.desired is not None:
            secrets.add(*declared_secrets(run.result.desired))
    return Fleet(loaded, at_once)


def _heading(account: Account) -> str:
    return account_heading(account.name, str(account.target.file))


def _error(run: AccountRun[T]) -> str:
    """The account's error, redacted, as the JSON and Markdown documents hold it."""
    return in_play().redactor(str(run.error))


def _shown_error(run: AccountRun[T]) -> str:
    """The account's error as stderr shows it: redacted, nothing a terminal would act on."""
    assert run.error is not None
    return error_message(run.error, in_play().redactor)


def _report_errors(runs: Sequence[AccountRun[T]], error_format: str = "text") -> None:
    """Each account's error on stderr (after its annotations, in github format)."""
    for run in runs:
        if run.error is None:
            continue
        if error_format == "github":
            for line in annotations_of(run.error, _error(run), f"reconciler: {run.account.name}"):
                click.echo(line, err=True)
        click.echo(f"error: {terminal(run.account.name)}: {_shown_error(run)}", err=True)


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
    """Plan every account; print the plans grouped by account; the worst exit code."""
    runs = run_accounts(
        fleet.loaded, lambda account, inputs: plan_account(inputs, options), fleet.at_once
    )
    _report_errors(runs, error_format)
    entries = [
        FleetEntry(
            run.account.name,
            str(run.account.target.file),
            run.result.plan if run.result is not None else None,
            None if run.error is None else _error(run),
        )
        for run in runs
    ]
    if output_format == "json":
        click.echo(render_fleet_json(entries), nl=False)
    elif output_format == "markdown":
        click.echo(render_fleet_markdown(entries), nl=False)
    else:
        out = console()
        for run in runs:
            out.print(_heading(run.account))
            if run.result is None:
                out.print("failed: see the error above\n")
            elif quiet:
                out.print(summary_line(run.result.plan) + "\n")
            else:
                if run.result.prepared and run.result.prepared.refreshed:
                    out.print(render_refresh(run.result.prepared.refreshed))
                print_plan(out, run.result.plan, show_requests=show_requests)
        out.print(_fleet_line(runs))
    codes = []
    for run in runs:
        if run.result is None:
            codes.append(EXIT_ERROR)
        elif detailed_exitcode and (not run.result.plan.is_empty or _drifted(run.result)):
            codes.append(EXIT_CHANGES)
        else:
            codes.append(EXIT_OK)
    return worst_exit(codes)


def _fleet_line(runs: Sequence[AccountRun[Session]]) -> str:
    planned = [run.result.plan for run in runs if run.result is not None]
    changed = sum(1 for plan in planned if not plan.is_empty)
    calls = sum(len(plan.calls) for plan in planned)
    return (
        f"Fleet: {len(runs)} accounts: {changed} with changes ({calls} calls), "
        f"{len(planned) - changed} in sync, {len(runs) - len(planned)} failed."
    )


class _Lines:
    """One line on stderr per finished call, naming its account (lines never interleave)."""

    def __init__(self, quiet: bool) -> None:
        self._quiet = quiet
        self._lock = threading.Lock()

    def listener(self, account: Account) -> OutcomeListener:
        def show(outcome: Outcome) -> None:
            if self._quiet:
                return
            with self._lock:
                line = f"{terminal(account.name)}: {outcome.status}: {describe(outcome.call)}"
                click.echo(line, err=True)

        return show


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
    """Plan every account under its lock, ask once for the whole fleet (unless
    ``auto_approve``), apply; print each account's plan and report; the worst exit code.

    With ``auto_approve`` each account goes from its lock to its last call without waiting
    for the others, so no run ever holds one account's lock while it waits for another's.
    """
    lines = _Lines(quiet)

    def apply_now(account: Account, pending: Pending) -> Applied:
        return apply_held(pending, lines.listener(account), verify_after=verify_after)

    if auto_approve:
        runs = run_accounts(
            fleet.loaded,
            lambda account, inputs: apply_now(account, plan_held(inputs, options, force=force)),
            fleet.at_once,
        )
        return _print_applied(runs, show_requests=show_requests, quiet=quiet)
    if not sys.stdin.isatty():
        raise SettingsError("not on a terminal: pass --auto-approve to apply without asking")
    pending = run_accounts(
        fleet.loaded,
        lambda account, inputs: plan_held(inputs, options, force=force),
        fleet.at_once,
    )
    _report_errors(pending)
    out = console()
    for run in pending:
        if run.result is not None:
            out.print(_heading(run.account))
            print_plan(out, run.result.session.plan, show_requests=show_requests)
    ready = [run.result for run in pending if run.result is not None]
    if any(not p.session.plan.is_empty for p in ready) and not click.confirm(
        f"Apply these calls to {len(ready)} accounts?", default=False
    ):
        for held in ready:
            held.held.close()
        click.echo("Nothing applied.")
        return worst_exit(EXIT_ERROR if run.error else EXIT_OK for run in pending)
    runs = run_accounts(pending, apply_now, fleet.at_once)
    return _print_applied(runs, show_requests=show_requests, quiet=True)


def _print_applied(runs: Sequence[AccountRun[Applied]], *, show_requests: bool, quiet: bool) -> int:
    _report_errors(runs)
    out = console()
    codes = []
    for run in runs:
        out.print(_heading(run.account))
        applied = run.result
        if applied is None:
            out.print("failed: see the error above\n")
            codes.append(EXIT_ERROR)
            continue
        if applied.left_behind is not None:
            note = lock_left_behind(applied.left_behind)
            click.echo(f"note: {terminal(run.account.name)}: {terminal(note)}", err=True)
        if not quiet:
            print_plan(out, applied.session.plan, show_requests=show_requests)
        if applied.report is not None:
            out.print(render_report(applied.report))
        elif quiet:
            out.print(summary_line(applied.session.plan))
        if applied.write_failed is not None:
            name = terminal(run.account.name)
            click.echo(f"error: {name}: {error_message(applied.write_failed, _redact)}", err=True)
        if applied.verification is not None:
            out.print(render_verification(applied.verification))
        codes.append(EXIT_OK if applied.ok else EXIT_APPLY_FAILED)
    applied_ok = sum(1 for code in codes if code == EXIT_OK)
    out.print(f"Fleet: {len(runs)} accounts: {applied_ok} converged, {len(runs) - applied_ok} not.")
    return worst_exit(codes)


def _redact(text: str) -> str:
    return in_play().redactor(text)


def refresh_fleet(fleet: Fleet, *, lock_timeout: float, detailed_exitcode: bool) -> int:
    """Refresh every account under its lock; show each one's drift; the worst exit code."""
    runs = run_accounts(
        fleet.loaded,
        lambda account, inputs: refresh_fleet_account(inputs, lock_timeout),
        fleet.at_once,
    )
    _report_errors(runs)
    out = console()
    codes = []
    for run in runs:
        out.print(_heading(run.account))
        if run.result is None:
            out.print("failed: see the error above\n")
            codes.append(EXIT_ERROR)
            continue
        out.print(render_refresh(run.result))
        codes.append(EXIT_CHANGES if detailed_exitcode and run.result.drifted else EXIT_OK)
    return worst_exit(codes)
