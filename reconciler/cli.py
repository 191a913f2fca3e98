"""Command-line interface: commands, flags and exit codes.

This is the only module that turns errors into exit codes and messages:

    0  success (plan: no changes, or changes without --detailed-exitcode)
    1  bad input, settings or known state; the lock is held; nothing was applied
    2  plan --detailed-exitcode: changes are pending
    3  apply finished, but some calls failed or were skipped (the summary says which)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click
from rich.console import Console

from reconciler import __version__
from reconciler.apply import ApplyReport, apply_plan
from reconciler.client import ApiClient
from reconciler.desired import Desired, load_desired
from reconciler.errors import ReconcilerError, SettingsError, ValidationFailed
from reconciler.plan import Plan, build_plan
from reconciler.render.text import render_plan, render_report
from reconciler.secrets import DigestKey
from reconciler.settings import (
    ToolSettings,
    load_api_settings,
    load_tool_settings,
    require_api_key,
    resolve_base_url,
)
from reconciler.state import KnownState, StateStore

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_APPLY_FAILED = 0, 1, 2, 3
SANDBOX_API_KEY = "sandbox"

P = ParamSpec("P")
R = TypeVar("R")


def _console(stderr: bool = False) -> Console:
    no_color = bool(os.environ.get("NO_COLOR")) or None
    return Console(stderr=stderr, highlight=False, no_color=no_color, soft_wrap=True)


def _exits_cleanly(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the package's errors into a message on stderr and exit code 1, never a traceback."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ValidationFailed as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_ERROR)
        except ReconcilerError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            click.echo("interrupted; every call that succeeded is recorded", err=True)
            sys.exit(130)

    return wrapper


def _state_path(desired_file: Path, explicit: Path | None, sandbox: bool) -> Path:
    """Known state beside the desired file: ``.reconciler/[sandbox/]<name>.state.json``."""
    if explicit is not None:
        return explicit
    folder = desired_file.resolve().parent / ".reconciler"
    if sandbox:
        folder = folder / "sandbox"
    return folder / f"{desired_file.stem}.state.json"


def _sandbox_data_path(desired_file: Path) -> Path:
    folder = desired_file.resolve().parent / ".reconciler" / "sandbox"
    return folder / f"{desired_file.stem}.data.json"


def _digest_key(tool: ToolSettings, sandbox: bool, env_file: Path) -> DigestKey:
    if tool.digest_key is not None:
        return DigestKey(tool.digest_key.get_secret_value())
    if sandbox:
        return DigestKey(SANDBOX_API_KEY)
    api = load_api_settings(env_file)
    try:
        return DigestKey(require_api_key(api).get_secret_value())
    except SettingsError:
        raise SettingsError(
            "secrets are compared by keyed digest: set INVOICEXPRESS_API_KEY or "
            "RECONCILER_DIGEST_KEY (or use --sandbox)"
        ) from None


def _load(file: Path, state_path: Path) -> tuple[Desired, StateStore, KnownState]:
    desired = load_desired(file, os.environ)
    store = StateStore(state_path)
    return desired, store, store.load()


def _plan(
    file: Path, state: Path | None, sandbox: bool, env_file: Path
) -> tuple[Desired, StateStore, KnownState, Plan]:
    tool = load_tool_settings(env_file)
    desired, store, known = _load(file, _state_path(file, state, sandbox))
    plan = build_plan(desired, known, _digest_key(tool, sandbox, env_file))
    return desired, store, known, plan


FILE_OPTION = click.option(
    "-f",
    "--file",
    "file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("state.yaml"),
    show_default=True,
    help="The desired-state YAML file.",
)
STATE_OPTION = click.option(
    "--state",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The known-state file [default: .reconciler/<name>.state.json beside --file].",
)
SANDBOX_OPTION = click.option(
    "--sandbox",
    is_flag=True,
    help="Run against a bundled sandbox (data and known state kept in .reconciler/sandbox/).",
)
ENV_FILE_OPTION = click.option(
    "--env-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path(".env"),
    show_default=True,
    help="Settings file read after the environment.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
@click.option("-v", "--verbose", is_flag=True, help="Log each request (never the API key).")
def main(verbose: bool) -> None:
    """Declarative configuration for InvoiceXpress accounts: validate, plan, apply."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@main.command()
@FILE_OPTION
@_exits_cleanly
def validate(file: Path) -> None:
    """Check the desired-state file only: syntax, fields, values, duplicates."""
    desired = load_desired(file, os.environ)
    state = desired.state
    click.echo(
        f"{file}: valid ({'1 account' if state.account else 'no account'}, "
        f"{len(state.clients)} clients, "
        f"{len(state.sequences.to_register) if state.sequences else 0} sequences to register)"
    )


@main.command()
@FILE_OPTION
@STATE_OPTION
@SANDBOX_OPTION
@ENV_FILE_OPTION
@click.option("--show-requests", is_flag=True, help="Also show each HTTP request and body.")
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 2 when changes are pending, 0 when none."
)
@_exits_cleanly
def plan(
    file: Path,
    state: Path | None,
    sandbox: bool,
    env_file: Path,
    show_requests: bool,
    detailed_exitcode: bool,
) -> None:
    """Show, as a dry run, exactly the API calls an apply would make."""
    _, _, _, the_plan = _plan(file, state, sandbox, env_file)
    _console().print(render_plan(the_plan, show_requests=show_requests))
    if detailed_exitcode and not the_plan.is_empty:
        sys.exit(EXIT_CHANGES)


@main.command()
@FILE_OPTION
@STATE_OPTION
@SANDBOX_OPTION
@ENV_FILE_OPTION
@click.option(
    "--auto-approve", is_flag=True, help="Apply without asking (required off a terminal)."
)
@click.option("--show-requests", is_flag=True, help="Also show each HTTP request and body.")
@_exits_cleanly
def apply(
    file: Path,
    state: Path | None,
    sandbox: bool,
    env_file: Path,
    auto_approve: bool,
    show_requests: bool,
) -> None:
    """Make the planned calls and record each success in the known state."""
    _, store, known, the_plan = _plan(file, state, sandbox, env_file)
    console = _console()
    console.print(render_plan(the_plan, show_requests=show_requests))
    if the_plan.is_empty:
        return
    if not auto_approve:
        if not sys.stdin.isatty():
            raise SettingsError("not on a terminal: pass --auto-approve to apply without asking")
        if not click.confirm("Apply these calls?", default=False):
            click.echo("Nothing applied.")
            return
    tool = load_tool_settings(env_file)
    with _api(sandbox, file, env_file) as (base_url, api_key):
        report = asyncio.run(_apply(the_plan, base_url, api_key, tool, store, known))
    store.save(report.state)
    console.print(render_report(report))
    if not report.ok:
        sys.exit(EXIT_APPLY_FAILED)


async def _apply(
    the_plan: Plan,
    base_url: str,
    api_key: Any,
    tool: ToolSettings,
    store: StateStore,
    known: KnownState,
) -> ApplyReport:
    async with ApiClient(base_url, api_key, tool) as client:
        return await apply_plan(the_plan, client, store, known, concurrency=tool.concurrency)


@contextlib.contextmanager
def _api(sandbox: bool, file: Path, env_file: Path) -> Iterator[tuple[str, Any]]:
    """The base URL and API key to use: the configured account, or a sandbox started here."""
    from pydantic import SecretStr

    if not sandbox:
        api = load_api_settings(env_file)
        yield resolve_base_url(api), require_api_key(api)
        return
    from reconciler.sandbox import Sandbox

    server = Sandbox(api_key=SANDBOX_API_KEY, data_file=_sandbox_data_path(file), rate_limit=0)
    with server.running_in_thread() as base_url:
        yield base_url, SecretStr(SANDBOX_API_KEY)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--api-key", default=SANDBOX_API_KEY, show_default=True)
@click.option(
    "--data",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Load and persist the sandbox's data in this JSON file.",
)
@click.option(
    "--rate-limit",
    default="780/min",
    show_default=True,
    help="Requests per minute per account, e.g. 780/min; 0 turns it off.",
)
@click.option("--faults", default="", help="Fault injection, e.g. error=0.2,drop=0.1,seed=7.")
@_exits_cleanly
def sandbox(
    host: str, port: int, api_key: str, data: Path | None, rate_limit: str, faults: str
) -> None:
    """Run the bundled InvoiceXpress-compatible sandbox server until interrupted."""
    from reconciler.sandbox import parse_faults, serve_forever

    try:
        limit = int(rate_limit.removesuffix("/min"))
        parsed_faults = parse_faults(faults)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    serve_forever(
        host=host,
        port=port,
        api_key=api_key,
        data_file=data,
        rate_limit=limit,
        faults=parsed_faults,
    )
