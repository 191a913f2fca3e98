"""What the plan and apply commands share: loading inputs, planning, reaching the API."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from reconciler.cli.exits import console
from reconciler.cli.options import sandbox_data_path, state_path
from reconciler.client import ApiClient
from reconciler.collector import collector_paused
from reconciler.desired import Desired, load_desired
from reconciler.errors import SettingsError
from reconciler.plan import Plan, build_plan
from reconciler.prepare import Prepared, needs_api, prepare
from reconciler.refresh import log_drift
from reconciler.render.drift import render_refresh, render_resolution
from reconciler.secrets import DigestKey
from reconciler.settings import (
    ToolSettings,
    load_api_settings,
    load_tool_settings,
    require_api_key,
    resolve_base_url,
)
from reconciler.state import KnownState, StateStore

SANDBOX_API_KEY = "sandbox"


@dataclass(frozen=True)
class Session:
    """The inputs of one plan or apply: desired state, known state and its store, the plan."""

    desired: Desired
    store: StateStore
    known: KnownState
    plan: Plan
    tool: ToolSettings
    prepared: Prepared | None = None


def digest_key(tool: ToolSettings, sandbox: bool, env_file: Path) -> DigestKey:
    """The key of the secrets' digests: RECONCILER_DIGEST_KEY, else the API key."""
    if tool.digest_key is not None:
        return DigestKey(tool.digest_key.get_secret_value())
    if sandbox:
        return DigestKey(SANDBOX_API_KEY)
    try:
        return DigestKey(require_api_key(load_api_settings(env_file)).get_secret_value())
    except SettingsError:
        raise SettingsError(
            "secrets are compared by keyed digest: set INVOICEXPRESS_API_KEY or "
            "RECONCILER_DIGEST_KEY (or use --sandbox)"
        ) from None


def open_session(
    file: Path,
    state: Path | None,
    sandbox: bool,
    env_file: Path,
    *,
    refresh: bool = False,
    create_missing: bool = False,
) -> Session:
    """Load the desired and known states, resolve and refresh as needed, plan the difference."""
    tool = load_tool_settings(env_file)
    with collector_paused():
        desired = load_desired(file, os.environ)
        store = StateStore(state_path(file, state, sandbox))
        known = store.load()
    key = digest_key(tool, sandbox, env_file)
    prepared = read_side(
        desired, store, known, key, tool, (sandbox, file, env_file), refresh, create_missing
    )
    with collector_paused():
        plan = build_plan(prepared.desired, prepared.known, key, creatable=prepared.creatable)
    return Session(prepared.desired, store, prepared.known, plan, tool, prepared)


def read_side(
    desired: Desired,
    store: StateStore,
    known: KnownState,
    key: DigestKey,
    tool: ToolSettings,
    target: tuple[bool, Path, Path],
    refresh: bool,
    create_missing: bool,
) -> Prepared:
    """Resolve references and refresh, reaching the API only when that needs it. A refresh
    saves the known state it produced and logs the drift it found."""

    async def run(client: ApiClient | None) -> Prepared:
        return await prepare(
            desired, known, key, client, refresh=refresh, create_missing=create_missing
        )

    if not needs_api(desired, known, refresh=refresh):
        return asyncio.run(run(None))
    try:
        with api_target(*target) as (base_url, api_key):
            prepared = asyncio.run(_with_client(base_url, api_key, tool, run))
    except SettingsError as error:
        why = "a refresh reads" if refresh else "clients without id and series are resolved on"
        raise SettingsError(f"{why} the live account: {error}") from None
    if prepared.refreshed is not None:
        store.save(prepared.known)
        log_drift(store.path, prepared.refreshed)
    return prepared


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


async def _with_client(
    base_url: str,
    api_key: SecretStr,
    tool: ToolSettings,
    run: Callable[[ApiClient], Awaitable[Prepared]],
) -> Prepared:
    async with ApiClient(base_url, api_key, tool) as client:
        return await run(client)


@contextlib.contextmanager
def api_target(sandbox: bool, file: Path, env_file: Path) -> Iterator[tuple[str, SecretStr]]:
    """The base URL and API key to use: the configured account, or a sandbox started here."""
    if not sandbox:
        api = load_api_settings(env_file)
        yield resolve_base_url(api), require_api_key(api)
        return
    from reconciler.sandbox import Sandbox

    server = Sandbox(api_key=SANDBOX_API_KEY, data_file=sandbox_data_path(file), rate_limit=0)
    with server.running_in_thread() as base_url:
        yield base_url, SecretStr(SANDBOX_API_KEY)
