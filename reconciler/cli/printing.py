"""Printing the plan, what the read side found, and the notes of a targeted plan."""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING

import click

from reconciler.cli.exits import console, plain_output
from reconciler.core.plan import Plan
from reconciler.core.references import Resolution
from reconciler.render.escape import terminal
from reconciler.render.plain import write_plain_plan
from reconciler.render.text import render_plan, summary_line
from reconciler.workflows.plan_run import Targeted
from reconciler.workflows.session import Session

if TYPE_CHECKING:  # rich is imported when a console is made: plain output never needs it
    from rich.console import Console


def print_plan(out: Console, plan: Plan, *, show_requests: bool) -> None:
    """Print the plan: as plain strings written as they are made when the console shows no
    colour (the same bytes, far faster and smaller on a big plan), else as rich text."""
    if out.color_system is None:
        _write_plain(out.file, plan, show_requests=show_requests)
    else:
        out.print(render_plan(plan, show_requests=show_requests))


def show_plan(plan: Plan, *, show_requests: bool, stderr: bool = False) -> None:
    """Print the plan on stdout (or stderr) as ``print_plan`` does on ``console()``, without
    making a console when it would show no colour."""
    if plain_output(stderr=stderr):
        stream = sys.stderr if stderr else sys.stdout
        _write_plain(stream, plan, show_requests=show_requests)
    else:
        print_plan(console(stderr=stderr), plan, show_requests=show_requests)


def _write_plain(stream: IO[str], plan: Plan, *, show_requests: bool) -> None:
    """Write the plan as it is rendered. A reader that stops early (``plan | head``) ends the
    printing, not the run: what is left goes to the null device, and the command exits with
    its own code."""
    try:
        write_plain_plan(stream.write, plan, show_requests=show_requests)
        stream.flush()
    except BrokenPipeError:
        nowhere = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(nowhere, stream.fileno())
        finally:
            os.close(nowhere)


def show_summary(plan: Plan) -> None:
    """Print the plan's summary line on stdout, as ``console().print`` does."""
    if plain_output():
        click.echo(summary_line(plan))
    else:
        console().print(summary_line(plan))


def _says_nothing(resolution: Resolution) -> bool:
    """Whether resolving found, named and creates nothing: ``render_resolution`` is empty."""
    found = (resolution.found, resolution.to_create, resolution.named)
    return not any(values for by_kind in found for values in by_kind.values())


def print_read_side(session: Session, *, stderr: bool = False, quiet: bool = False) -> bool:
    """Print what resolving and refreshing found (nothing when ``quiet``); whether drift was
    found."""
    prepared = session.prepared
    if prepared is None:
        return False
    if quiet:
        return prepared.refreshed is not None and prepared.refreshed.drifted
    if prepared.refreshed is None and _says_nothing(prepared.resolution):
        return False
    from reconciler.render.drift import render_refresh, render_resolution

    out = console(stderr=stderr)
    resolved = render_resolution(prepared.resolution)
    if resolved.plain:
        out.print(resolved, end="")
    if prepared.refreshed is None:
        return False
    out.print(render_refresh(prepared.refreshed))
    out.print()
    return prepared.refreshed.drifted


def announced(chosen: Targeted) -> Session:
    """The targeted session, after saying on stderr what the targets pulled in."""
    for resource in chosen.pulled_in:
        click.echo(
            f"note: {terminal(resource)} is planned too: a targeted call depends on it and it "
            "has a call pending",
            err=True,
        )
    return chosen.session
