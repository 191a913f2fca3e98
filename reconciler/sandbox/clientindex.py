"""The clients by id, and how many hold each name and each code, kept up to date as they change.

A write of one client then costs the same with ten clients or ten thousand: the lookup by id
and the uniqueness checks are dictionary lookups, not scans of every client, and a flush of the
data file encodes only the clients changed since the last one. The index owns the changes it
tracks: handlers add clients and change their fields through it, never directly.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Hashable, Mapping
from typing import Any

UNIQUE = ("name", "code")


def _key(value: Any) -> Hashable:
    """``value`` as a dictionary key: a hand-edited data set may hold a list or an object where
    a name or an id belongs."""
    if value is None or isinstance(value, str | int | float):
        return value
    return ("json", json.dumps(value, sort_keys=True, default=str))


class ClientIndex:
    """An index over a list of stored client records, which it keeps and changes."""

    def __init__(self, clients: list[dict[str, Any]]) -> None:
        self._clients = clients
        self._by_id: dict[Hashable, dict[str, Any]] = {}
        self._held: dict[str, Counter[Hashable]] = {key: Counter() for key in UNIQUE}
        self._max_id = 0
        # id() of a stored record → its JSON text, until the record changes. Records are never
        # removed, so an id() is not reused while the index lives.
        self._texts: dict[int, str] = {}
        for client in clients:
            self._track(client)

    def _track(self, client: dict[str, Any]) -> None:
        # The first of two records with one id wins, as a scan in list order would find it.
        self._by_id.setdefault(_key(client.get("id")), client)
        for key in UNIQUE:
            self._held[key][_key(client.get(key))] += 1
        client_id = client.get("id")
        if isinstance(client_id, int) and not isinstance(client_id, bool):
            self._max_id = max(self._max_id, client_id)

    def find(self, client_id: int | None) -> dict[str, Any] | None:
        """The client with this id, if any."""
        return self._by_id.get(client_id) if client_id is not None else None

    def next_id(self) -> int:
        """One above the highest id, the id a new client gets."""
        return self._max_id + 1

    def taken(self, key: str, value: Any, by_other_than: Mapping[str, Any] | None) -> bool:
        """Whether a client other than ``by_other_than`` (a stored client, or one not yet
        added) holds ``value`` as its ``key`` (``name`` or ``code``)."""
        holders = self._held[key][_key(value)]
        if by_other_than is not None and self._is_stored(by_other_than):
            holders -= _key(by_other_than.get(key)) == _key(value)
        return holders > 0

    def _is_stored(self, client: Mapping[str, Any]) -> bool:
        return self._by_id.get(_key(client.get("id"))) is client

    def add(self, client: dict[str, Any]) -> None:
        """Append a new client to the list."""
        self._clients.append(client)
        self._track(client)

    def update(self, client: dict[str, Any], changes: Mapping[str, Any]) -> None:
        """Change a stored client's fields (``id`` stays as it is)."""
        for key in UNIQUE:
            if key in changes:
                self._held[key][_key(client.get(key))] -= 1
                self._held[key][_key(changes[key])] += 1
        client.update({key: value for key, value in changes.items() if key != "id"})
        self._texts.pop(id(client), None)

    def text(self, client: dict[str, Any]) -> str:
        """``client`` as JSON, encoded again only after it changed."""
        text = self._texts.get(id(client))
        if text is None:
            text = self._texts[id(client)] = json.dumps(client, ensure_ascii=False)
        return text
