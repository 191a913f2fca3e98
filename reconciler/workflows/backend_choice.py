"""Where an account's history is: a run refuses to start a new one beside it.

A run that uses a backend with no record of the account (a database, say) while its state file
exists, or a state file that does not exist while the account's history is in another backend
(or the file was renamed aside by ``state move``), would plan every resource as never applied
and start a second history. It is refused before any call, naming both places and the
``state move`` to run.
"""

from __future__ import annotations

import contextlib

from reconciler.errors import SettingsError
from reconciler.storage.backend import Backend
from reconciler.workflows.target import Target, with_state_url


def known_state_where(target: Target) -> str:
    """Where the target's known state is kept, as messages name it: its file, or the database
    (password hidden) and account."""
    return target.backend().where


def check_backend(target: Target) -> None:
    """Raise ``SettingsError`` when the known state this run would use is empty while the
    account's history is kept in the other backend."""
    chosen, file = target.backend(), target.file_backend()
    if chosen.where != file.where:
        _elsewhere_beside_a_file(target, chosen, file)
    else:
        _file_while_elsewhere(target, file)


def _holds(backend: Backend) -> bool:
    store = backend.store()
    with contextlib.closing(store):
        return store.exists()


def _elsewhere_beside_a_file(target: Target, chosen: Backend, file: Backend) -> None:
    if not _holds(file) or _holds(chosen):
        return
    raise SettingsError(
        f"{file.where} holds this account's known state, but {chosen.where} has none: this "
        "run would start a new, empty history. Move it there first with: "
        f"{_move(target, 'database')} (or run without --state-url and RECONCILER_STATE_URL "
        "to keep using the file)"
    )


def _file_while_elsewhere(target: Target, file: Backend) -> None:
    if _holds(file):
        return
    aside = file.retired()
    if aside is not None:
        raise SettingsError(
            f"{file.where} does not exist: it was moved to a database ({aside} is what is "
            "left); pass --state-url or set RECONCILER_STATE_URL to use it, or bring it back "
            f"with: {_move(target, 'file')}"
        )
    if target.state is None:  # without --state, the setting's backend would be the one used
        return
    other = with_state_url(target, unless_state_file=False).backend()
    if other.where == file.where or not _holds(other):
        return
    raise SettingsError(
        f"{file.where} does not exist, but {other.where} holds this account's known "
        "state: this run would start a new, empty history. Drop --state to use the "
        f"database, or move it with: {_move(target, 'file')}"
    )


def _move(target: Target, to: str) -> str:
    state = "" if target.state is None else f" --state {target.state}"
    sandbox = " --sandbox" if target.sandbox else ""
    return f"reconciler state move -f {target.file}{state}{sandbox} --to {to}"
