"""The read side: what the live account holds, through the API's read endpoints.

Every read goes through ``ApiClient.request``, so the rate limit and the retries of GETs apply.
An unknown id answers ``None`` here (the API's 404); any other error is raised as ``ApiError``.
Answers of an unexpected shape are ``ApiError`` too, naming the endpoint.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.api.client import Answer, ApiClient
from reconciler.core.live_state import LiveState
from reconciler.core.normalize import as_decimal, client_id
from reconciler.desired.models import DesiredState
from reconciler.errors import ApiError

PER_PAGE = 100
"""Clients asked for per page: the API serves at most 100; an account may serve fewer."""


def _item(answer: Answer, key: str, method: str, path: str) -> Mapping[str, Any]:
    body = answer.body
    if isinstance(body, Mapping) and isinstance(body.get(key), Mapping):
        item: Mapping[str, Any] = body[key]
        return item
    raise ApiError(answer.status, f"unexpected answer: no '{key}' object", method, path)


async def _get_or_none(
    client: ApiClient, path: str, key: str, params: Mapping[str, str] | None = None
) -> Mapping[str, Any] | None:
    try:
        answer = await client.request("GET", path, params=params)
    except ApiError as error:
        if error.status == 404:
            return None
        raise
    return _item(answer, key, "GET", path)


async def read_account(client: ApiClient, account_id: int) -> Mapping[str, Any] | None:
    """``GET /api/accounts/:id/get.json``; ``None`` when there is no such account."""
    return await _get_or_none(client, f"/api/accounts/{account_id}/get.json", "account")


async def read_client(client: ApiClient, client_id_: int) -> Mapping[str, Any] | None:
    """``GET /clients/:id.json``; ``None`` when there is no such client."""
    return await _get_or_none(client, f"/clients/{client_id_}.json", "client")


async def find_client_by_code(client: ApiClient, code: str) -> Mapping[str, Any] | None:
    """``GET /clients/find-by-code.json``; ``None`` when no client has that code."""
    return await _get_or_none(
        client, "/clients/find-by-code.json", "client", params={"client_code": code}
    )


async def read_sequences(client: ApiClient) -> tuple[Mapping[str, Any], ...]:
    """``GET /sequences.json``: every sequence (the endpoint is not paginated)."""
    path = "/sequences.json"
    answer = await client.request("GET", path)
    body = answer.body
    items = body.get("sequences") if isinstance(body, Mapping) else None
    if not isinstance(items, list) or not all(
        isinstance(s, Mapping) and as_decimal(str(s.get("id", ""))) is not None for s in items
    ):
        raise ApiError(answer.status, "unexpected answer: no 'sequences' list", "GET", path)
    return tuple(items)


@dataclass(frozen=True)
class _Page:
    """One page of the clients list and what its ``pagination`` block says (``None``: absent
    or unreadable). Numbers are taken as JSON integers or as text of decimal digits."""

    items: list[Mapping[str, Any]]
    total_entries: int | None
    total_pages: int | None
    per_page: int | None


def _count(value: Any) -> int | None:
    """A pagination number: a non-negative JSON integer or its decimal text; else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 12:
            return int(text)
    return None


async def _page(client: ApiClient, number: int) -> _Page:
    path = "/clients.json"
    params = {"page": str(number), "per_page": str(PER_PAGE)}
    answer = await client.request("GET", path, params=params)
    body = answer.body
    items = body.get("clients") if isinstance(body, Mapping) else None
    if not isinstance(items, list) or not all(isinstance(c, Mapping) for c in items):
        raise ApiError(answer.status, "unexpected answer: no 'clients' list", "GET", path)
    pagination = body.get("pagination") if isinstance(body, Mapping) else None
    numbers = pagination if isinstance(pagination, Mapping) else {}
    return _Page(
        items,
        _count(numbers.get("total_entries")),
        _count(numbers.get("total_pages")),
        _count(numbers.get("per_page")) or None,
    )


def _pages_needed(first: _Page) -> int | None:
    """How many pages the list has, from what the first page says; ``None`` when it can't say."""
    size = first.per_page or len(first.items)
    by_entries = None
    if first.total_entries is not None and size:
        by_entries = -(-first.total_entries // size)
    counts = [n for n in (by_entries, first.total_pages) if n is not None]
    return max(counts) if counts else None


async def read_all_clients(client: ApiClient) -> dict[int, Mapping[str, Any]]:
    """Every client of the account, by id, through every page of ``GET /clients.json``.

    Never a partial list: when the pages read hold another number of clients than the list's
    ``total_entries``, ``ApiError`` says so and nothing is returned.
    """
    return await _rest_of_list(client, await _page(client, 1))


async def _rest_of_list(client: ApiClient, first: _Page) -> dict[int, Mapping[str, Any]]:
    """Pages 2 onwards, read concurrently when the first page says how many there are (the
    client's rate limit paces them); else one after another until one comes back short or empty.
    A client seen on two pages (the list shifted while being read) is kept once."""
    pages = [first.items]
    needed = _pages_needed(first)
    if needed is not None and needed > 1:
        pages += await asyncio.gather(*(_only_items(client, n) for n in range(2, needed + 1)))
    if first.total_entries is None:
        await _follow(client, pages, first.per_page or len(first.items))
    read = sum(len(page) for page in pages)
    if first.total_entries is not None and read != first.total_entries:
        raise ApiError(
            200,
            f"the clients list says it has {first.total_entries} clients but its "
            f"{len(pages)} page(s) held {read}; nothing was taken from it",
            "GET",
            "/clients.json",
        )
    return _by_id(item for page in pages for item in page)


async def _follow(client: ApiClient, pages: list[list[Mapping[str, Any]]], size: int) -> None:
    """Read further pages until one is shorter than ``size`` or empty. A page that brings no
    client not already seen (a server ignoring ``page``) is an error, not an endless loop."""
    seen = {client_id(item) for page in pages for item in page}
    while size and len(pages[-1]) >= size:
        items = await _only_items(client, len(pages) + 1)
        fresh = {client_id(item) for item in items} - seen
        if items and not fresh:
            raise ApiError(
                200,
                f"page {len(pages) + 1} of the clients list repeats clients already read",
                "GET",
                "/clients.json",
            )
        seen |= fresh
        pages.append(items)


async def _only_items(client: ApiClient, number: int) -> list[Mapping[str, Any]]:
    return (await _page(client, number)).items


def _by_id(items: Iterable[Mapping[str, Any]]) -> dict[int, Mapping[str, Any]]:
    found: dict[int, Mapping[str, Any]] = {}
    for item in items:
        identifier = client_id(item)
        if identifier is not None:
            found[identifier] = item
    return found


async def read_clients(
    client: ApiClient, ids: Iterable[int]
) -> dict[int, Mapping[str, Any] | None]:
    """The clients with these ids, in the fewest requests: the whole list when it has fewer
    pages than there are clients to read, else one ``GET`` each. A client the list lacks is
    looked up on its own before it is called gone."""
    wanted = sorted(set(ids))
    listed: Mapping[int, Mapping[str, Any]] = {}
    if len(wanted) > 1:
        first = await _page(client, 1)
        listed = _by_id(first.items)
        needed = _pages_needed(first)
        if needed is None or needed < len(wanted):
            listed = await _rest_of_list(client, first)
    missing = [i for i in wanted if i not in listed]
    fetched = await asyncio.gather(*(read_client(client, i) for i in missing))
    found: dict[int, Mapping[str, Any] | None] = {i: listed[i] for i in wanted if i in listed}
    found.update(zip(missing, fetched, strict=True))
    return found


async def read_live(client: ApiClient, state: DesiredState) -> LiveState:
    """Read exactly what the (resolved) desired state declares."""
    ids = [c.id for c in state.clients if c.id is not None]
    sequences = state.sequences
    wants_sequences = sequences is not None and bool(
        sequences.default is not None or sequences.to_register
    )
    account, clients, listed = await asyncio.gather(
        read_account(client, state.account.id) if state.account else _none(),
        read_clients(client, ids),
        read_sequences(client) if wants_sequences else _none(),
    )
    return LiveState(account=account, clients=clients, sequences=listed)


async def _none() -> None:
    return None


async def read_everything(client: ApiClient, account_id: int) -> LiveState:
    """The account, every client (through every page) and every sequence."""
    account, clients, sequences = await asyncio.gather(
        read_account(client, account_id), read_all_clients(client), read_sequences(client)
    )
    return LiveState(account=account, clients=dict(clients), sequences=sequences)
