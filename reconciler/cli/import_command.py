"""``reconciler import``: write (or update) the desired-state file from the live account."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import click
from pydantic import SecretStr

from reconciler.adopt import read_everything, write_and_record
from reconciler.cli.exits import console, exits_cleanly
from reconciler.cli.group import main
from reconciler.cli.locking import holds_state_lock
from reconciler.cli.options import (
    ENV_FILE_OPTION,
    FILE_OPTION,
    SANDBOX_OPTION,
    STATE_OPTION,
    state_path,
)
from reconciler.cli.session import api_target, digest_key
from reconciler.client import ApiClient
from reconciler.desired import load_desired
from reconciler.errors import SettingsError
from reconciler.importer import new_document, update_document
from reconciler.live import LiveState
from reconciler.refresh import log_drift
from reconciler.settings import ToolSettings, load_tool_settings
from reconciler.state import StateStore


@main.command("import")
@FILE_OPTION
@STATE_OPTION
@SANDBOX_OPTION
@ENV_FILE_OPTION
@click.option(
    "--account-id",
    type=click.IntRange(min=1),
    default=None,
    help="The :account-id to import [default: account.id of the existing --file].",
)
@exits_cleanly
@holds_state_lock("import", check_desired=False)
def import_(
    file: Path, state: Path | None, sandbox: bool, env_file: Path, account_id: int | None
) -> None:
    """Write the desired-state file from the live account, or update it in place (comments,
    order and quoting kept), and record what was read as the known state."""
    existing = load_desired(file, os.environ) if file.exists() else None
    if account_id is None and existing is not None and existing.state.account is not None:
        account_id = existing.state.account.id
    if account_id is None:
        raise SettingsError("which account? pass --account-id (the :account-id to import)")
    tool = load_tool_settings(env_file)
    key = digest_key(tool, sandbox, env_file)
    store = StateStore(state_path(file, state, sandbox))
    known = store.load()
    with api_target(sandbox, file, env_file) as (base_url, api_key):
        live = asyncio.run(_read(base_url, api_key, tool, account_id))
    if live.account is None:
        raise SettingsError(f"account {account_id} was not found on the live account")
    if existing is None:
        imported = new_document(live)
    else:
        imported = update_document(file.read_text("utf-8"), existing.state, live)
    refreshed = write_and_record(file, imported.text, known, live, key, os.environ)
    store.save(refreshed.state)
    log_drift(store.path, refreshed)
    out = console()
    for note in imported.notes:
        out.print(f"  note: {note}")
    verb = "Updated" if existing is not None else "Wrote"
    out.print(
        f"{verb} {file}: account {account_id}, {len(live.clients)} clients on the live account "
        f"({imported.clients_added} added, {len(imported.fields_updated)} fields updated). "
        f"Known state recorded ({len(refreshed.state.resources)} resources).",
        style="bold",
    )


async def _read(
    base_url: str, api_key: SecretStr, tool: ToolSettings, account_id: int
) -> LiveState:
    async with ApiClient(base_url, api_key, tool) as client:
        return await read_everything(client, account_id)
