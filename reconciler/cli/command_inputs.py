"""Inputs read once and checked before anything else, and the known-state lock around the
commands that write it (``apply``, ``refresh``, ``import``, ``plan --refresh``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from reconciler.cli.command_secrets import in_play
from reconciler.render.escape import terminal
from reconciler.storage.lock import Owner
from reconciler.workflows.session import desired_secrets, load_inputs
from reconciler.workflows.state_lock import state_lock
from reconciler.workflows.target import Target

R = TypeVar("R")


def with_inputs(
    name: str, *, desired: bool = True, locks: Callable[[dict[str, Any]], bool] | None = None
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Pass the command its ``inputs`` (read and checked once), holding the state lock.

    The command's ``target`` (``target_option``) names them; ``name`` is recorded as the lock
    owner's command; ``locks`` says from the command's parameters whether this run writes the
    known state (``plan --refresh`` does, ``plan`` doesn't). Bad input and settings are
    refused before the lock leaves a file behind.
    """

    def decorate(command: Callable[..., R]) -> Callable[..., R]:
        @wraps(command)
        def wrapper(*args: Any, target: Target, **kwargs: Any) -> R:
            inputs = load_inputs(target, plan_file=kwargs.get("plan_file"), desired=desired)
            if inputs.desired is not None:
                in_play().add(*desired_secrets(inputs.desired, inputs.target.variables))
            if locks is not None and not locks(kwargs):
                return command(*args, inputs=inputs, **kwargs)
            held = inputs.target
            with state_lock(held, name, held.lock_timeout) as left_behind:
                if left_behind is not None:
                    click.echo(f"note: {terminal(lock_left_behind(left_behind))}", err=True)
                return command(*args, inputs=inputs, **kwargs)

        return wrapper

    return decorate


def lock_left_behind(owner: Owner) -> str:
    """What to say about the lock of an apply that was interrupted."""
    return (
        f"the previous apply ({owner.describe()}) ended without releasing its lock, so it was "
        "interrupted; every call it completed is recorded, and this run carries on from there"
    )
