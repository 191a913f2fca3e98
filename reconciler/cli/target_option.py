"""The ``target`` option: the flags naming what a command works on, handed to it as one
``Target`` (not to be confused with ``--target``, which limits a plan to resources).

``-f``, ``--state``, ``--state-url``, ``--sandbox``, ``--env-file`` and ``--lock-timeout``
(with the tool settings given as flags, ``--parallelism`` and ``--accounts-at-once``) become
one ``Target``, made by ``workflows.target.new_target``; the command takes ``target`` and none
of those parameters. Put it above ``exits_cleanly``, which starts the command's redaction from
the target's settings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from reconciler.cli.exits import errors_reported
from reconciler.cli.options import (
    ENV_FILE_OPTION,
    FILE_OPTION,
    FILES_OPTION,
    LOCK_TIMEOUT_OPTION,
    SANDBOX_OPTION,
    STATE_OPTION,
    STATE_URL_OPTION,
    tuning,
)
from reconciler.errors import SettingsError
from reconciler.workflows.target import Target, new_target

R = TypeVar("R")
Option = Callable[[Callable[..., Any]], Callable[..., Any]]
NAMES = ("file", "state", "state_url", "sandbox", "env_file", "lock_timeout")
"""The parameters the option takes from the command line and the command never sees."""


def target_option(
    *,
    fleet: bool = False,
    lock: bool = True,
    beside_file: Sequence[Option] = (),
    saved_plan: str | None = None,
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Give the command ``target`` from its flags: ``-f`` (repeatable with ``fleet``), then
    ``beside_file`` (the command's own, passed on as they are), ``--state``, ``--state-url``,
    ``--sandbox``, ``--env-file`` and, with ``lock``, ``--lock-timeout``, in that order in
    ``--help``. With ``saved_plan`` (the name of the command's plan-file argument), only
    ``--state-url`` and ``--env-file``: the plan file stands for the desired file, the saved
    plan naming the rest. ``--state`` beside ``--state-url`` is refused (exit 1)."""
    if saved_plan is not None:
        options: list[Option] = [STATE_URL_OPTION, ENV_FILE_OPTION]
    else:
        options = [FILES_OPTION if fleet else FILE_OPTION, *beside_file]
        options += [STATE_OPTION, STATE_URL_OPTION, SANDBOX_OPTION, ENV_FILE_OPTION]
        options += [LOCK_TIMEOUT_OPTION] if lock else []

    def decorate(command: Callable[..., R]) -> Callable[..., R]:
        @wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> R:
            given = {name: kwargs.pop(name) for name in NAMES if name in kwargs}
            if saved_plan is not None:
                given["file"] = kwargs[saved_plan]
            with errors_reported():
                target = _target(given)
            return command(*args, target=target, **kwargs)

        decorated: Callable[..., R] = wrapper
        for option in reversed(options):
            decorated = option(decorated)
        return decorated

    return decorate


def _target(given: dict[str, Any]) -> Target:
    """The target the flags name: the one place a command's flags become a ``Target``."""
    state, url = given.get("state"), given.get("state_url")
    if state is not None and url is not None:
        raise SettingsError("--state names a file and --state-url a database: give one of them")
    file = given["file"]
    files: tuple[Path, ...] = file if isinstance(file, tuple) else (file,)
    return new_target(
        files,
        state=state,
        state_url=url,
        sandbox=bool(given.get("sandbox", False)),
        env_file=given.get("env_file"),
        lock_timeout=float(given.get("lock_timeout", 0.0)),
        tuning=tuning(),
    )
