"""Printing the plan, what the read side found, and the notes of a targeted plan."""

from __future__ import annotations

import click
from rich.console import Console

from reconciler.cli.exits import console
from reconciler.core.plan import Plan
from reconciler.render.drift import render_refresh, render_resolution
from reconciler.render.escape import terminal
from reconciler.render.plain import plain_plan
from reconciler.render.text import render_plan
from reconciler.workflows.plan_run import Targeted
from reconciler.workflows.session import Session


def print_plan(out: Console, plan: Plan, *, show_requests: bool) -> None:
    """Print the plan: as plain strings when the console shows no colour (the same bytes,
    far faster on a big plan), else as rich text."""
    if out.color_system is None:
        out.file.write(plain_plan(plan, show_requests=show_requests))
        out.file.flush()
    else:
        out.print(render_plan(plan, show_requests=show_requests))


def print_read_side(session: Session, *, stderr: bool = False, quiet: bool = False) -> bool:
    """Print what resolving and refreshing found (nothing when ``quiet``); whether drift was
    found."""
    prepared = session.prepared
    if prepared is None:
        return False
    if quiet:
        return prepared.refreshed is not None and prepared.refreshed.drifted
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
