"""The known state's records, listed, shown and removed (``reconciler state list/show/rm``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.core.known import KnownState
from reconciler.core.secrets import redacted
from reconciler.errors import InputError
from reconciler.storage.backend import StateBackend
from reconciler.workflows.state_lock import state_lock
from reconciler.workflows.target import Target


@dataclass(frozen=True)
class Removed:
    """What ``state rm`` did: the keys dropped, the state saved, and where the previous one is."""

    keys: tuple[str, ...]
    state: KnownState
    backup: str | None


def read_state(target: Target, store: StateBackend | None = None) -> KnownState:
    """The known state as kept (every recorded success in it); refuse a target with none."""
    store = store or target.store()
    if not store.exists():
        raise InputError(f"no known state for {target.file}: nothing was ever applied")
    return store.load()


def find_keys(known: KnownState, addresses: tuple[str, ...]) -> tuple[str, ...]:
    """The record keys the addresses name (``account`` names the account's, whatever its id);
    ``InputError`` naming each address that matches no record."""
    keys: list[str] = []
    missing: list[str] = []
    for address in addresses:
        found = [address] if address in known.resources else []
        if not found and address == "account":
            found = sorted(k for k in known.resources if k.startswith("account:"))
        if not found:
            missing.append(address)
        keys.extend(k for k in found if k not in keys)
    if missing:
        raise InputError(
            f"not in the known state: {', '.join(missing)} (see `reconciler state list`)"
        )
    return tuple(keys)


def shown_record(known: KnownState, key: str) -> dict[str, Any]:
    """One record as plain data, every secret's digest shown as ``(sensitive)``."""
    record = known.resources[key]
    return {"resource": key, **redacted(record.to_json())}


def remove_records(target: Target, addresses: tuple[str, ...], timeout: float) -> Removed:
    """Drop the named records under the state lock and save through the backend (the file
    store keeps the previous file as ``.backup``). Nothing is changed on the account."""
    backend = target.backend()
    with state_lock(target, "state rm", timeout):
        store = backend.store()
        known = read_state(target, store)
        keys = find_keys(known, addresses)
        state = known.without(keys)
        store.save(state)
    return Removed(keys, state, backend.backup)
