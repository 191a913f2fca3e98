"""Options and helpers of the GitOps features that plan and apply share: targets, quiet, the
guard's threshold, and what a saved plan is bound to."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from reconciler.cli.session import Session
from reconciler.planfile import Binding, file_sha256
from reconciler.targeting import parse_target, select

TARGET_OPTION = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="RESOURCE",
    help="Limit to a resource: account, sequences, client:<id>, registration:<id>, "
    "default_sequence (repeatable).",
)
QUIET_OPTION = click.option(
    "-q", "--quiet", is_flag=True, help="Print only errors and the final summary."
)


def targeted(session: Session, targets: tuple[str, ...]) -> Session:
    """The session with its plan limited to ``targets``; says on stderr what was pulled in."""
    if not targets:
        return session
    chosen = select(session.plan, [parse_target(t) for t in targets])
    for resource in chosen.pulled_in:
        click.echo(
            f"note: {resource} is planned too: a targeted call depends on it and it has a "
            "call pending",
            err=True,
        )
    return replace(session, plan=chosen.plan)


def binding(
    session: Session, file: Path, state: Path | None, sandbox: bool, targets: tuple[str, ...]
) -> Binding:
    """What the session's plan was made from, as a saved plan records it."""
    return Binding(
        desired_file=str(file),
        desired_sha256=file_sha256(file),
        state_file=None if state is None else str(state),
        sandbox=sandbox,
        targets=tuple(sorted(parse_target(t).text for t in targets)),
        lineage=session.known.lineage if session.store.exists() else None,
        serial=session.known.serial,
    )
