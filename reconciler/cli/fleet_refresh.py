"""``refresh`` of a fleet: every account's drift read without writing and shown, one question
for the whole fleet, then each account's live values written under its lock.

With ``--auto-approve`` each account is read and written under its lock on its own. Without
it, off a terminal (or with ``--shard auto``, which takes each account as it goes), the drift is
reported and nothing is written. An account whose known state changed between the read and the
write is reported, never given the stale values.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from reconciler.cli.exits import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, console, worst_exit
from reconciler.cli.fleet_command import Fleet, ended_section, fleet_runs
from reconciler.cli.fleet_output import Failures, Tally
from reconciler.cli.refresh_approval import NOT_WRITTEN, approved, would_write
from reconciler.core.live_fold import Refreshed
from reconciler.render.drift import render_refresh
from reconciler.render.escape import terminal
from reconciler.workflows.backend_choice import known_state_where
from reconciler.workflows.fleet_run import Account, AccountRun, run_accounts
from reconciler.workflows.fleet_steps import refresh_fleet_account
from reconciler.workflows.refresh import ReadRefresh, read_refresh, write_unless_changed
from reconciler.workflows.session import Inputs
from reconciler.workflows.shard_auto import Claims

CHANGED_SINCE = "the known state changed since it was read; nothing written: refresh again"


def refresh_fleet(fleet: Fleet, *, detailed_exitcode: bool, auto_approve: bool) -> int:
    """Refresh every account; show each one's drift as it ends; write when approved; the worst
    exit code."""
    if auto_approve:
        step = lambda account, inputs: refresh_fleet_account(inputs)  # noqa: E731
        return _shown(fleet, step, detailed_exitcode, written=True)[0]
    asks = sys.stdin.isatty() and not isinstance(fleet.loaded, Claims)
    code, reads = _shown(fleet, _read, detailed_exitcode, written=False)
    if not reads:
        return code
    if not asks:
        click.echo(f"note: {NOT_WRITTEN}", err=True)
        return code
    if not approved(f"these live values into the known state of {_accounts(len(reads))}"):
        return EXIT_ERROR
    return worst_exit([code, _write(fleet, reads)])


def _read(account: Account, inputs: Inputs) -> ReadRefresh:
    if inputs.desired is None:
        raise ValueError("a refresh needs the desired state")
    return read_refresh(inputs.target, inputs.desired)


def _accounts(count: int) -> str:
    return f"{count} account" if count == 1 else f"{count} accounts"


def _shown(
    fleet: Fleet,
    step: Callable[[Account, Inputs], ReadRefresh | Refreshed],
    detailed_exitcode: bool,
    *,
    written: bool,
) -> tuple[int, dict[str, tuple[Inputs, ReadRefresh]]]:
    """Each account's drift as it ends (and, when not ``written``, what would be written); the
    worst exit code so far and the reads that would change a known state."""
    failures, tally, out = Failures(), Tally(), console()
    inputs = {} if isinstance(fleet.loaded, Claims) else {r.account.name: r for r in fleet.loaded}
    reads: dict[str, tuple[Inputs, ReadRefresh]] = {}
    for run in fleet_runs(fleet, failures, step):
        read = ended_section(run, out, tally, failures)
        if read is None:
            continue
        refreshed = read.refreshed if isinstance(read, ReadRefresh) else read
        out.print(render_refresh(refreshed))
        if isinstance(read, ReadRefresh) and read.changed:
            where = known_state_where(run.account.target)
            click.echo(terminal(would_write(read, where)))
            loaded = inputs.get(run.account.name)
            if loaded is not None and loaded.result is not None:
                reads[run.account.name] = (loaded.result, read)
        tally.codes.append(EXIT_CHANGES if detailed_exitcode and refreshed.drifted else EXIT_OK)
    failures.print()
    tally.stopped(out)
    return worst_exit(tally.codes), reads


def _write(fleet: Fleet, reads: dict[str, tuple[Inputs, ReadRefresh]]) -> int:
    """Write each approved account's live values under its lock; the worst exit code."""
    assert not isinstance(fleet.loaded, Claims)
    chosen = [
        AccountRun(run.account, reads[run.account.name])
        for run in fleet.loaded
        if run.account.name in reads
    ]

    def write(account: Account, given: tuple[Inputs, ReadRefresh]) -> bool:
        return write_unless_changed(given[0].target, given[1])

    failures, codes, out = Failures(), list[int](), console()
    for run in run_accounts(chosen, write, fleet.at_once):
        if run.error is not None:
            failures.add(run.account.name, run.error)
        if run.result is True:
            out.print(f"{terminal(run.account.name)}: known state updated.")
            codes.append(EXIT_OK)
        else:
            if run.result is False:
                click.echo(f"error: {terminal(run.account.name)}: {CHANGED_SINCE}", err=True)
            codes.append(EXIT_ERROR)
    failures.print()
    return worst_exit(codes)
