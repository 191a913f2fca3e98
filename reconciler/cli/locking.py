"""The known-state lock around the commands that write it: inputs checked first, then one at a
time (``apply``, ``refresh``, ``import``, ``plan --refresh``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from reconciler.cli.options import state_path
from reconciler.desired import load_desired
from reconciler.lock import Owner, StateLock
from reconciler.planfile import load_plan
from reconciler.settings import load_api_settings, load_tool_settings, resolve_base_url
from reconciler.state import StateStore

R = TypeVar("R")


def holds_state_lock(
    name: str, *, check_desired: bool = True, when: Callable[[dict[str, Any]], bool] | None = None
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Run a command that writes the known state holding that state's lock.

    ``name`` is recorded as the owner's command; ``when`` says from the command's parameters
    whether this run writes (``plan --refresh`` does, ``plan`` doesn't). Bad input and settings
    are refused before the lock leaves a file behind. Under the lock, a journal left by an
    interrupted apply is folded into the state file first.
    """

    def decorate(command: Callable[..., R]) -> Callable[..., R]:
        @wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> R:
            if when is not None and not when(kwargs):
                return command(*args, **kwargs)
            file, state, sandbox = _target(kwargs)
            _check_inputs(file if check_desired else None, sandbox, kwargs["env_file"])
            path = state_path(file, state, sandbox)
            with StateLock(path).held(f"reconciler {name} -f {file}") as left_behind:
                if left_behind is not None:
                    click.echo(f"note: {lock_left_behind(left_behind)}", err=True)
                store = StateStore(path)
                store.settle(store.load())
                return command(*args, **kwargs)

        return wrapper

    return decorate


def lock_left_behind(owner: Owner) -> str:
    """What to say about the lock of an apply that was interrupted."""
    return (
        f"the previous apply ({owner.describe()}) ended without releasing its lock, so it was "
        "interrupted; every call it completed is recorded, and this run carries on from there"
    )


def _target(kwargs: dict[str, Any]) -> tuple[Path, Path | None, bool]:
    """The desired file, explicit known-state path and sandbox flag the apply will use."""
    plan_file: Path | None = kwargs.get("plan_file")
    if plan_file is None:
        return kwargs["file"], kwargs["state"], kwargs["sandbox"]
    bound = load_plan(plan_file).binding
    state = None if bound.state_file is None else Path(bound.state_file)
    return Path(bound.desired_file), state, bound.sandbox


def _check_inputs(file: Path | None, sandbox: bool, env_file: Path) -> None:
    load_tool_settings(env_file)
    if file is not None:
        load_desired(file, os.environ)
    api = load_api_settings(env_file)
    if not sandbox and (api.base_url or api.account):
        resolve_base_url(api)
