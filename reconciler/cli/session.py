"""What the plan and apply commands share: loading inputs, planning, reaching the API."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from reconciler.cli.options import sandbox_data_path, state_path
from reconciler.collector import collector_paused
from reconciler.desired import Desired, load_desired
from reconciler.errors import SettingsError
from reconciler.plan import Plan, build_plan
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


def open_session(file: Path, state: Path | None, sandbox: bool, env_file: Path) -> Session:
    """Load the desired and known states and plan the difference."""
    tool = load_tool_settings(env_file)
    with collector_paused():
        desired = load_desired(file, os.environ)
        store = StateStore(state_path(file, state, sandbox))
        known = store.load()
        plan = build_plan(desired, known, digest_key(tool, sandbox, env_file))
    return Session(desired, store, known, plan, tool)


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
