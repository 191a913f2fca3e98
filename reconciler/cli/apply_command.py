"""``reconciler apply``: make the planned calls and record each success."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click
from pydantic import SecretStr

from reconciler.apply import ApplyReport, apply_plan
from reconciler.cli.exits import EXIT_APPLY_FAILED, console, exits_cleanly
from reconciler.cli.group import main
from reconciler.cli.options import (
    CREATE_MISSING_OPTION,
    ENV_FILE_OPTION,
    FILE_OPTION,
    REFRESH_OPTION,
    SANDBOX_OPTION,
    SHOW_REQUESTS_OPTION,
    STATE_OPTION,
)
from reconciler.cli.session import Session, api_target, open_session, print_read_side
from reconciler.client import ApiClient
from reconciler.errors import SettingsError
from reconciler.render.drift import render_verification
from reconciler.render.text import render_plan, render_report
from reconciler.verify import Verification, verify


@main.command()
@FILE_OPTION
@STATE_OPTION
@SANDBOX_OPTION
@ENV_FILE_OPTION
@SHOW_REQUESTS_OPTION
@REFRESH_OPTION
@CREATE_MISSING_OPTION
@click.option(
    "--verify",
    "verify_after",
    is_flag=True,
    help="Read back each resource applied; exit 3 if a declared field did not take.",
)
@click.option(
    "--auto-approve", is_flag=True, help="Apply without asking (required off a terminal)."
)
@exits_cleanly
def apply(
    file: Path,
    state: Path | None,
    sandbox: bool,
    env_file: Path,
    show_requests: bool,
    refresh: bool,
    create_missing: bool,
    verify_after: bool,
    auto_approve: bool,
) -> None:
    """Show the plan, ask, then make the calls and record each success in the known state."""
    session = open_session(
        file, state, sandbox, env_file, refresh=refresh, create_missing=create_missing
    )
    print_read_side(session)
    out = console()
    out.print(render_plan(session.plan, show_requests=show_requests))
    if session.plan.is_empty:
        return
    if not auto_approve:
        if not sys.stdin.isatty():
            raise SettingsError("not on a terminal: pass --auto-approve to apply without asking")
        if not click.confirm("Apply these calls?", default=False):
            click.echo("Nothing applied.")
            return
    with api_target(sandbox, file, env_file) as (base_url, api_key):
        report, verification = asyncio.run(_run(session, base_url, api_key, verify_after))
    session.store.save(report.state)
    out.print(render_report(report))
    if verification is not None:
        out.print(render_verification(verification))
    if not report.ok or (verification is not None and not verification.ok):
        sys.exit(EXIT_APPLY_FAILED)


async def _run(
    session: Session, base_url: str, api_key: SecretStr, verify_after: bool
) -> tuple[ApplyReport, Verification | None]:
    async with ApiClient(base_url, api_key, session.tool) as client:
        report = await apply_plan(
            session.plan,
            client,
            session.store,
            session.known,
            concurrency=session.tool.concurrency,
        )
        return report, (await verify(report, client) if verify_after else None)
