"""``reconciler apply``: make the planned calls and record each success."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import click
from pydantic import SecretStr

from reconciler.apply import ApplyReport, apply_plan
from reconciler.cli.exits import EXIT_APPLY_FAILED, console, exits_cleanly
from reconciler.cli.group import main
from reconciler.cli.options import (
    ENV_FILE_OPTION,
    FILE_OPTION,
    SANDBOX_OPTION,
    SHOW_REQUESTS_OPTION,
    STATE_OPTION,
    state_path,
)
from reconciler.cli.session import Session, api_target, open_session
from reconciler.client import ApiClient
from reconciler.desired import load_desired
from reconciler.errors import SettingsError
from reconciler.lock import Owner, StateLock
from reconciler.render.text import render_plan, render_report
from reconciler.settings import load_api_settings, load_tool_settings, resolve_base_url


@main.command()
@FILE_OPTION
@STATE_OPTION
@SANDBOX_OPTION
@ENV_FILE_OPTION
@SHOW_REQUESTS_OPTION
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
    auto_approve: bool,
) -> None:
    """Show the plan, ask, then make the calls and record each success in the known state."""
    _check_inputs(file, sandbox, env_file)
    with StateLock(state_path(file, state, sandbox)).held(f"reconciler apply -f {file}") as stale:
        if stale is not None:
            click.echo(f"note: {lock_left_behind(stale)}", err=True)
        _apply(file, state, sandbox, env_file, show_requests, auto_approve)


def _apply(
    file: Path,
    state: Path | None,
    sandbox: bool,
    env_file: Path,
    show_requests: bool,
    auto_approve: bool,
) -> None:
    session = open_session(file, state, sandbox, env_file)
    session.store.settle(session.known)
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
        report = asyncio.run(_run(session, base_url, api_key))
    session.store.save(report.state)
    out.print(render_report(report))
    if not report.ok:
        sys.exit(EXIT_APPLY_FAILED)


def _check_inputs(file: Path, sandbox: bool, env_file: Path) -> None:
    """Refuse bad input and settings before the lock leaves a file behind."""
    load_tool_settings(env_file)
    load_desired(file, os.environ)
    api = load_api_settings(env_file)
    if not sandbox and (api.base_url or api.account):
        resolve_base_url(api)


def lock_left_behind(owner: Owner) -> str:
    return (
        f"the previous apply ({owner.describe()}) ended without releasing its lock, so it was "
        "interrupted; every call it completed is recorded, and this run carries on from there"
    )


async def _run(session: Session, base_url: str, api_key: SecretStr) -> ApplyReport:
    async with ApiClient(base_url, api_key, session.tool) as client:
        return await apply_plan(
            session.plan,
            client,
            session.store,
            session.known,
            concurrency=session.tool.concurrency,
        )
