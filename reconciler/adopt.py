"""Adopting a live account: read all of it, write the desired-state file, record the known state.

What the import read is recorded as the applied state of every resource the file declares, so
the plan right after an import is empty (except secrets, which can't be read back: a declared
AT password is planned as an account update until applied once). The file is replaced only
once the new text validates; the known state is saved after it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from reconciler.client import ApiClient
from reconciler.desired import load_desired
from reconciler.live import LiveState, read_account, read_all_clients, read_sequences
from reconciler.refresh import Refreshed, fold
from reconciler.resolve import resolve_with, series_of
from reconciler.secrets import DigestKey
from reconciler.state import KnownState

# Stands in for ${AT_PASSWORD} while the written file is checked, when it is not set: the
# password is never read back, compared or recorded by an import, only validated.
PLACEHOLDER_PASSWORD = "placeholder-1"


async def read_everything(client: ApiClient, account_id: int) -> LiveState:
    """The account, every client (through every page) and every sequence."""
    account, clients, sequences = await asyncio.gather(
        read_account(client, account_id), read_all_clients(client), read_sequences(client)
    )
    return LiveState(account=account, clients=dict(clients), sequences=sequences)


def write_and_record(
    path: Path,
    text: str,
    known: KnownState,
    live: LiveState,
    key: DigestKey,
    environ: Mapping[str, str],
) -> Refreshed:
    """Validate ``text``, replace ``path`` with it, and return the known state to save."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.import.tmp")
    try:
        with open(temp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            shutil.copymode(path, temp)
        desired = load_desired(temp, {"AT_PASSWORD": PLACEHOLDER_PASSWORD, **environ})
        codes = {str(v.get("code")): i for i, v in live.clients.items() if v is not None}
        series = {str(s.get("serie")): int(s["id"]) for s in live.sequences or ()}
        state = desired.state
        by_code = {c.code: codes[c.code] for c in state.clients if c.id is None and c.code in codes}
        used = {s: series[s] for s in series_of(state.sequences) if s in series}
        resolution = resolve_with(
            desired, known, codes, series, create_missing=True, looked_up=(by_code, used)
        )
        refreshed = fold(resolution.desired.state, resolution.known, live, key)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return refreshed
