"""Where an account's history is: a run refuses to start a new one beside it.

A run that uses a database with no record of the account while its state file exists, or a
state file that does not exist while the account's history is in a database (or the file was
renamed aside by ``state move``), would plan every resource as never applied and start a second
history. It is refused before any call, naming both places and the ``state move`` to run.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import replace

from reconciler.errors import SettingsError
from reconciler.workflows.target import Target


def known_state_where(target: Target) -> str:
    """Where the target's known state is kept, as messages name it: its file, or the database
    (password hidden) and account."""
    if target.state_url is None:
        return str(target.state_path)
    return target.database_store().where


def check_backend(target: Target) -> None:
    """Raise ``SettingsError`` when the known state this run would use is empty while the
    account's history is kept in the other backend."""
    if target.state_url is not None:
        _database_beside_a_file(target)
    else:
        _file_while_elsewhere(target)


def _database_beside_a_file(target: Target) -> None:
    file = target.file_store()
    if not file.exists():
        return
    database = target.database_store()
    with contextlib.closing(database):
        if database.exists():
            return
    raise SettingsError(
        f"{file.path} holds this account's known state, but {database.where} has none: this "
        "run would start a new, empty history. Move it there first with: "
        f"{_move(target, 'database')} (or run without --state-url and RECONCILER_STATE_URL "
        "to keep using the file)"
    )


def _file_while_elsewhere(target: Target) -> None:
    file = target.file_store()
    if file.exists():
        return
    aside = file.path.with_name(file.path.name + ".moved")
    if os.path.lexists(aside):
        raise SettingsError(
            f"{file.path} does not exist: it was moved to a database ({aside} is what is "
            "left); pass --state-url or set RECONCILER_STATE_URL to use it, or bring it back "
            f"with: {_move(target, 'file')}"
        )
    url = target.tool_settings().state_url if target.state is not None else None
    if url is None:
        return
    database = replace(target, state_url=url).database_store()
    with contextlib.closing(database):
        if not database.exists():
            return
    raise SettingsError(
        f"{file.path} does not exist, but {database.where} holds this account's known "
        "state: this run would start a new, empty history. Drop --state to use the "
        f"database, or move it with: {_move(target, 'file')}"
    )


def _move(target: Target, to: str) -> str:
    state = "" if target.state is None else f" --state {target.state}"
    sandbox = " --sandbox" if target.sandbox else ""
    return f"reconciler state move -f {target.file}{state}{sandbox} --to {to}"
