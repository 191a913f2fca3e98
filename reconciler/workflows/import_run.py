"""Import: read the whole live account, write the desired-state file, record the known state.

What the import read is recorded as the applied state of every resource the file declares, so
the plan right after an import is empty (except secrets, which can't be read back: a declared
AT password is planned as an account update until applied once). The file is replaced only
once the new text validates; the known state is saved after it.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reconciler import interrupts
from reconciler.api.live import read_everything
from reconciler.clock import now
from reconciler.core.known import KnownState
from reconciler.core.live_fold import Refreshed, fold
from reconciler.core.live_state import LiveState
from reconciler.core.references import resolve_with, resolving_kinds
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import Desired, load_desired
from reconciler.errors import SettingsError
from reconciler.storage.drift_log import log_drift
from reconciler.storage.files import stage_atomically
from reconciler.workflows.import_document import new_document, update_document
from reconciler.workflows.session import api_target, digest_key, with_client
from reconciler.workflows.target import Target

# Stands in for ${AT_PASSWORD} while the written file is checked, when it is not set: the
# password is never read back, compared or recorded by an import, only validated.
PLACEHOLDER_PASSWORD = "placeholder-1"


@dataclass(frozen=True)
class Imported:
    """What an import wrote and recorded."""

    account_id: int
    updated: bool
    clients_read: int
    clients_added: int
    fields_updated: int
    resources_recorded: int
    notes: tuple[str, ...]
    diff: str | None = None
    """With ``dry_run``: the unified diff of the file the import would write (else None)."""


def import_account(target: Target, account_id: int | None, *, dry_run: bool = False) -> Imported:
    """Write (or update in place) ``target.file`` from the live account; record the known state.

    The account is ``account_id``, else the ``account.id`` of the existing file. With
    ``dry_run`` the new text is checked as the import would check it (in a folder of its own)
    and returned as a diff; neither the file nor the known state is written.
    """
    file = target.file
    existing = load_desired(file, os.environ) if file.exists() else None
    if account_id is None and existing is not None and existing.state.account is not None:
        account_id = existing.state.account.id
    if account_id is None:
        raise SettingsError("which account? pass --account-id (the :account-id to import)")
    tool = target.tool_settings()
    key = digest_key(tool, target)
    store = target.store()
    known = store.load()
    with api_target(target) as (base_url, api_key):
        live = interrupts.run_async(
            with_client(base_url, api_key, tool, lambda c: read_everything(c, account_id))
        )
    if live.account is None:
        raise SettingsError(f"account {account_id} was not found on the live account")
    old = None if existing is None else file.read_text("utf-8")
    if old is None or existing is None:
        document = new_document(live)
    else:
        document = update_document(old, existing.state, live)
    diff = None
    if dry_run:
        refreshed = preview(file, document.text, known, live, key, os.environ)
        diff = unified_diff(file, old, document.text)
    else:
        refreshed = write_and_record(file, document.text, known, live, key, os.environ)
        store.save(refreshed.state)
        log_drift(target.state_path, refreshed)
    return Imported(
        account_id=account_id,
        updated=existing is not None,
        clients_read=len(live.clients),
        clients_added=document.added.get("clients", 0),
        fields_updated=len(document.fields_updated),
        resources_recorded=len(refreshed.state.resources),
        notes=tuple(document.notes),
        diff=diff,
    )


def unified_diff(file: Path, old: str | None, new: str) -> str:
    """The unified diff from ``old`` (None: no file yet) to ``new``, as ``diff -u`` shows it."""
    lines = difflib.unified_diff(
        [] if old is None else old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile="/dev/null" if old is None else str(file),
        tofile=str(file),
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def preview(
    path: Path,
    text: str,
    known: KnownState,
    live: LiveState,
    key: DigestKey,
    environ: Mapping[str, str],
) -> Refreshed:
    """Check ``text`` as ``write_and_record`` does, from a temporary folder of its own, and
    return the known state it would record; nothing beside ``path`` is written."""
    with tempfile.TemporaryDirectory(prefix="reconciler-import-") as folder:
        staged = Path(folder) / path.name
        staged.write_text(text, encoding="utf-8")
        desired = load_desired(staged, {"AT_PASSWORD": PLACEHOLDER_PASSWORD, **environ})
        return _recorded(desired, known, live, key)


def write_and_record(
    path: Path,
    text: str,
    known: KnownState,
    live: LiveState,
    key: DigestKey,
    environ: Mapping[str, str],
) -> Refreshed:
    """Validate ``text``, replace ``path`` with it, and return the known state to save."""
    # Mode as for any file the user creates (umask applies); an existing file keeps its own.
    staged = stage_atomically(path, text, mode=0o666, tag="import.tmp")
    try:
        if path.exists():
            shutil.copymode(path, staged.temp)
        desired = load_desired(staged.temp, {"AT_PASSWORD": PLACEHOLDER_PASSWORD, **environ})
        refreshed = _recorded(desired, known, live, key)
        staged.commit()
    finally:
        staged.discard()
    return refreshed


def _recorded(desired: Desired, known: KnownState, live: LiveState, key: DigestKey) -> Refreshed:
    """The known state that records ``live`` for every resource ``desired`` declares."""
    keys: dict[str, dict[str, int]] = {}
    used: dict[str, dict[str, int]] = {}
    for kind in resolving_kinds():
        found = live.of(kind.reading.slot) if kind.reading is not None else None
        views = found.values() if isinstance(found, Mapping) else found or ()
        keys[kind.name] = kind.natural_keys(v for v in views if v is not None)
        named = kind.named(desired.state)
        used[kind.name] = {k: keys[kind.name][k] for k in named if k in keys[kind.name]}
    at = now()
    resolution = resolve_with(desired, known, keys, create_missing=True, looked_up=used, at=at)
    return fold(resolution.desired.state, resolution.known, live, key, at=at)
