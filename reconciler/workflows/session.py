"""What every planning command shares: its inputs, the digest key, planning, reaching the API."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pydantic import SecretStr

from reconciler import interrupts, process_end
from reconciler.core.known import KnownState
from reconciler.core.plan import Plan, build_plan
from reconciler.core.redaction import Redactor, secret_values
from reconciler.core.references import pending
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import Desired, load_desired
from reconciler.desired.secrets_in_play import Snapshot, secrets_in_play
from reconciler.errors import InputError, SettingsError
from reconciler.settings import require_api_key, resolve_base_url
from reconciler.storage.backend import StateBackend
from reconciler.workflows.backend_choice import check_backend
from reconciler.workflows.collector import collector_paused
from reconciler.workflows.preparation import Prepared, needs_api, prepare, prepare_offline
from reconciler.workflows.repository import check_desired_path
from reconciler.workflows.target import Target, with_state_url

if TYPE_CHECKING:  # the client is imported where one is made: a plan often needs none
    from reconciler.api.api_client import ApiClient
    from reconciler.settings import ToolValues
    from reconciler.storage.saved_plans import SavedPlan

SANDBOX_API_KEY = "sandbox"
T = TypeVar("T")
Reading = Callable[[], contextlib.AbstractContextManager[object]]
"""What to hold open while the live account is read (a command shows progress with it)."""


@dataclass(frozen=True)
class Inputs:
    """A command's inputs, each read once: the target, its desired state, a saved plan."""

    target: Target
    desired: Desired | None
    saved: SavedPlan | None = None


def load_inputs(target: Target, *, plan_file: Path | None = None, desired: bool = True) -> Inputs:
    """Read and check everything a command needs before it takes a lock or reaches the API.

    With ``plan_file``, the target is the one the saved plan was made for, with the known state
    it records (``saved_backend.bound_target``).
    """
    saved = None
    if plan_file is not None:
        from reconciler.storage.saved_plans import load_plan
        from reconciler.workflows.saved_backend import bound_target

        saved = load_plan(plan_file)
        target = bound_target(saved, target)
    check_desired_path(target.file)
    target.tool_settings()
    if saved is None:
        target = with_state_url(target)
    check_backend(target)
    with collector_paused():
        loaded = load_desired(target.file, target.variables) if desired else None
    api = target.api_settings()
    if not target.sandbox and (api.base_url or api.account):
        resolve_base_url(api)
    inputs = Inputs(target, loaded, saved)
    process_end.keep(inputs)  # left for the process's end to free (``process_end``)
    return inputs


@dataclass(frozen=True)
class Session:
    """The inputs of one plan or apply: desired state, known state and its store, the plan;
    ``stored_serial`` is the serial of the known state as stored (look-ups folded in memory
    only are not counted), which a saved plan is bound to."""

    desired: Desired
    store: StateBackend
    known: KnownState
    plan: Plan
    tool: ToolValues
    prepared: Prepared | None = None
    stored_serial: int = 0
    environ: Mapping[str, str] | None = None
    """The run's snapshot of the environment (``Target.variables``): its secrets are in play."""


def release_connection(store: StateBackend) -> None:
    """Let go of what the store opened of its own to read (a database store's connection, not
    a held lock's): a planned account holds none while the others are planned; a later use
    opens another."""
    store.close()


def digest_key(tool: ToolValues, target: Target) -> DigestKey:
    """The key of the secrets' digests: RECONCILER_DIGEST_KEY, else the API key."""
    if tool.digest_key is not None:
        return DigestKey(tool.digest_key.get_secret_value())
    if target.sandbox:
        return DigestKey(SANDBOX_API_KEY)
    try:
        return DigestKey(require_api_key(target.api_settings()).get_secret_value())
    except SettingsError:
        raise SettingsError(
            "secrets are compared by keyed digest: set INVOICEXPRESS_API_KEY or "
            "RECONCILER_DIGEST_KEY (or use --sandbox)"
        ) from None


def open_session(
    target: Target,
    desired: Desired,
    *,
    refresh: bool = False,
    create_missing: bool = False,
    reading: Reading = contextlib.nullcontext,
) -> Session:
    """Load the known state, resolve and refresh as needed, plan the difference; ``reading`` is
    held open while the live account is read."""
    tool = target.tool_settings()
    store = target.store()
    try:
        with collector_paused():  # one pause over load → plan
            known = store.load()
            key = digest_key(tool, target)
            prepared = read_side(
                target, desired, store, known, key, tool, refresh, create_missing, reading
            )
            plan = build_plan(prepared.desired, prepared.known, key, creatable=prepared.creatable)
    finally:
        release_connection(store)
    # A refresh saved what it read; otherwise look-ups are only in memory until an apply.
    stored = prepared.known if prepared.refreshed is not None else known
    session = Session(
        prepared.desired,
        store,
        prepared.known,
        plan,
        tool,
        prepared,
        stored.serial,
        target.variables,
    )
    process_end.keep(session)  # left for the process's end to free (``process_end``)
    process_end.keep(known)  # as read: the session's may be another, with look-ups folded
    return session


def read_side(
    target: Target,
    desired: Desired,
    store: StateBackend,
    known: KnownState,
    key: DigestKey,
    tool: ToolValues,
    refresh: bool,
    create_missing: bool,
    reading: Reading = contextlib.nullcontext,
    *,
    save: bool = True,
) -> Prepared:
    """Resolve references and refresh, reaching the API only when that needs it. A refresh
    saves the known state it produced and logs the drift it found (unless ``save`` is off:
    the caller writes it once approved)."""

    redactor = redactor_for(desired, target.variables)
    todo = pending(desired.state, known)

    async def run(client: ApiClient | None) -> Prepared:
        return await prepare(
            desired,
            known,
            key,
            client,
            refresh=refresh,
            create_missing=create_missing,
            todo=todo,
        )

    if not needs_api(todo, refresh=refresh):
        return prepare_offline(desired, known, todo, create_missing=create_missing)
    with interrupts.held():  # the client's modules, loaded before the read is announced
        from reconciler.api import api_client  # noqa: F401

    try:
        with api_target(target) as (base_url, api_key), reading():
            prepared = interrupts.run_async(with_client(base_url, api_key, tool, run, redactor))
    except SettingsError as error:
        why = "a refresh reads" if refresh else "clients without id and series are resolved on"
        raise SettingsError(f"{why} the live account: {error}") from None
    if prepared.refreshed is not None and save:
        store.save(prepared.known)
        from reconciler.storage.drift_log import log_drift

        log_drift(target.state_path, prepared.refreshed)
    return prepared


async def with_client(
    base_url: str,
    api_key: SecretStr,
    tool: ToolValues,
    run: Callable[[ApiClient], Awaitable[T]],
    redactor: Redactor | None = None,
) -> T:
    """Run ``run`` with a client of the account, closed afterwards."""
    from reconciler.api.api_client import ApiClient

    async with ApiClient(base_url, api_key, tool, redactor=redactor) as client:
        return await run(client)


def declared_secrets(desired: Desired) -> list[str]:
    """The account's passwords the desired state declares."""
    account = desired.state.account
    return secret_values(account) if account is not None else []


def desired_secrets(desired: Desired, environ: Mapping[str, str] | None = None) -> list[str]:
    """The secrets in play: the account's passwords the desired state declares, and those of
    ``environ`` (the run's ``Target.variables``; the process environment by default): every
    account's API key, tokens, passwords."""
    declared = declared_secrets(desired)
    return sorted(secrets_in_play(os.environ if environ is None else environ, declared))


def redactor_for(desired: Desired, environ: Mapping[str, str] | None = None) -> Redactor:
    """A redactor of the secrets the desired state declares and ``environ`` holds (the client
    adds the API key); a snapshot's environment part is built once for every account."""
    if isinstance(environ, Snapshot):
        shared = environ.once("redactor", lambda: Redactor(environ.secrets))
        return shared.with_secrets(*declared_secrets(desired))
    return Redactor(desired_secrets(desired, environ))


def check_api_settings(target: Target) -> None:
    """Raise ``SettingsError`` unless the target's account and API key are configured (the
    sandbox needs neither): checked before a plan is shown for approval."""
    if not target.sandbox:
        api = target.api_settings()
        resolve_base_url(api)
        require_api_key(api)


@contextlib.contextmanager
def api_target(target: Target) -> Iterator[tuple[str, SecretStr]]:
    """The base URL and API key to use: the configured account, or a sandbox started here."""
    if not target.sandbox:
        api = target.api_settings()
        yield resolve_base_url(api), require_api_key(api)
        return
    from reconciler.sandbox import Sandbox

    try:
        # Written before each answer: the known state records a success only once the
        # sandbox's data holds it, even if this process is killed.
        server = Sandbox(
            api_key=SANDBOX_API_KEY,
            data_file=target.sandbox_data_path,
            rate_limit=0,
            flush_interval=0,
        )
    except ValueError as error:  # the sandbox's word for a data file it cannot use
        raise InputError(str(error)) from None
    with server.running_in_thread() as base_url:
        yield base_url, SecretStr(SANDBOX_API_KEY)
