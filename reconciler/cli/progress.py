"""Apply progress: a rich progress bar on a terminal, one plain line per finished call elsewhere.

Progress goes to stderr, so stdout keeps only the plan and the final report. A failure's
message (the API's words, redacted) is shown as it happens: above the bar on a terminal
(failures alike: the first, then a count when the bar ends), else on the call's own line, so
a CI log that keeps only stderr still says why each call failed.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from reconciler.cli.exits import console as stderr_console
from reconciler.cli.exits import plain_output
from reconciler.core.report import Outcome, OutcomeListener, Status
from reconciler.render.counts import counted
from reconciler.render.escape import terminal
from reconciler.render.text import describe

if TYPE_CHECKING:  # rich is imported when a bar or a spinner is shown
    from rich.console import Console
    from rich.progress import Progress


def _what(outcome: Outcome) -> str:
    said = f": {terminal(outcome.detail)}" if outcome.detail else ""
    return f"{outcome.status}: {describe(outcome.call)}{said}"


def shows_failures(console: Console, *, quiet: bool) -> bool:
    """Whether ``progress`` on this console shows each failure where the final report would
    show it again (the bar on a terminal; plain lines go to stderr, apart from the report)."""
    return not quiet and console.is_terminal


@contextlib.contextmanager
def progress(total: int, console: Console, *, quiet: bool) -> Iterator[OutcomeListener]:
    """A listener for apply's outcomes that shows how far the apply is."""
    if quiet:
        yield lambda outcome: None
        return
    if not console.is_terminal:
        done = 0

        def plain(outcome: Outcome) -> None:
            nonlocal done
            done += 1
            if outcome.status is not Status.NOT_ATTEMPTED:  # counted once in the report
                click.echo(f"[{done}/{total}] {_what(outcome)}", err=True)

        yield plain
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        TextColumn("[bold]Applying"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]}"),
        TimeElapsedColumn(),
    )
    alike: Counter[str] = Counter()
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("apply", total=total, failed="")
        failed = 0

        def advance(outcome: Outcome) -> None:
            nonlocal failed
            if outcome.status is not Status.SUCCEEDED:
                failed += 1
            if outcome.status is Status.FAILED and outcome.cause:
                alike[outcome.cause] += 1
            shown_before = outcome.status is Status.FAILED and alike[outcome.cause] > 1
            if outcome.status in (Status.FAILED, Status.SKIPPED) and not shown_before:
                bar.console.print(f"  {_what(outcome)}", markup=False, highlight=False)
            bar.update(task, advance=1, failed=f"[red]{failed} not done" if failed else "")

        yield advance
    for cause, count in alike.items():  # a failure shown once above, and how often it came
        if count > 1:
            console.print(f"  failed: {cause} ({count} calls)", markup=False, highlight=False)


READING = "Reading the live account (clients by code, sequences by serie, drift)…"


def reading_live(
    console: Console | None = None, *, quiet: bool = False
) -> Callable[[], contextlib.AbstractContextManager[None]]:
    """What to show while the live account is read: a spinner on a terminal, one plain line
    elsewhere, nothing when ``quiet``; on ``console`` (stderr, so stdout keeps the plan; by
    default ``console(stderr=True)``, made only when the live account is read)."""

    @contextlib.contextmanager
    def shown() -> Iterator[None]:
        if quiet:
            yield
            return
        if console is None and plain_output(stderr=True):
            click.echo(READING, err=True)
            yield
            return
        out = stderr_console(stderr=True) if console is None else console
        if out.is_terminal:
            with out.status(READING):
                yield
        else:
            click.echo(READING, err=True)
            yield

    return shown


@dataclass
class Tally:
    """How many calls have finished and how many succeeded (each success is recorded before it
    is reported), passed on to ``listener``: what an interrupted apply says it did."""

    total: int
    listener: OutcomeListener
    finished: int = 0
    succeeded: int = 0

    def __call__(self, outcome: Outcome) -> None:
        self.finished += 1
        if outcome.status is Status.SUCCEEDED:
            self.succeeded += 1
        self.listener(outcome)

    def interrupted(self, recorded_now: int | None = None) -> str:
        """``interrupted after 41 of 303 calls; 41 recorded``. ``recorded_now`` is what the
        known state holds: a success or two more than were reported when the interrupt came
        between recording a call and reporting it (that call finished too)."""
        recorded = self.succeeded if recorded_now is None else recorded_now
        finished = max(self.finished, recorded)
        if finished >= self.total:  # e.g. during --verify's read-back
            return f"interrupted after all {counted(self.total, 'call')}; {recorded} recorded"
        return (
            f"interrupted after {finished} of {counted(self.total, 'call')}; {recorded} recorded; "
            "apply again to make the rest"
        )


class FleetProgress:
    """A fleet apply's progress on stderr: on a terminal, a bar per account in progress (its
    name, calls done of its total, calls not done), each removed as its account ends; elsewhere
    one plain line per finished call, naming its account; nothing when ``quiet``."""

    def __init__(self, console: Console, *, quiet: bool) -> None:
        self._console = console
        self._quiet = quiet
        self._lock = threading.Lock()
        self._bars: Progress | None = None

    @contextlib.contextmanager
    def shown(self) -> Iterator[None]:
        """Show the bars (on a terminal) while the accounts run."""
        if self._quiet or not self._console.is_terminal:
            yield
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        columns = (
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]}", markup=False),
        )
        with Progress(*columns, console=self._console, transient=True) as bars:
            self._bars = bars
            try:
                yield
            finally:
                self._bars = None

    @contextlib.contextmanager
    def account(self, name: str, total: int) -> Iterator[OutcomeListener]:
        """A listener for one account's outcomes while it applies its ``total`` calls."""
        bars = self._bars
        if bars is None:
            yield self._plain(name)
            return
        task = bars.add_task(terminal(name), total=total, failed="")
        bars.refresh()
        failed = 0

        def advance(outcome: Outcome) -> None:
            nonlocal failed
            failed += outcome.status is not Status.SUCCEEDED
            shown = f"{failed} not done" if failed else ""
            bars.update(task, advance=1, failed=shown, refresh=True)

        try:
            yield advance
        finally:
            bars.remove_task(task)

    def _plain(self, name: str) -> OutcomeListener:
        def show(outcome: Outcome) -> None:
            if self._quiet:
                return
            with self._lock:
                line = f"{terminal(name)}: {outcome.status}: {describe(outcome.call)}"
                click.echo(line, err=True)

        return show
