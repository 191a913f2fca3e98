"""The read side: what the live account holds, through the API's read endpoints.

Generic over what a kind declares (``core.kinds.base.Reading``): one resource by id, one found
by a natural key, a whole unpaginated list, or a paginated list read whole or used as a
shortcut to many resources by id. A new kind's reads need no code here.

Every read goes through ``ApiClient.request``, so the rate limit and the retries of GETs apply.
An unknown id answers ``None`` here (the API's 404); any other error is raised as ``ApiError``.
Answers of an unexpected shape are ``ApiError`` too, naming the endpoint.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.api.api_client import Answer, ApiClient
from reconciler.core.kinds import registry
from reconciler.core.kinds.base import Reading
from reconciler.core.live_state import LiveState
from reconciler.core.normalize import as_decimal
from reconciler.desired.models import DesiredState
from reconciler.errors import ApiError

PER_PAGE = 100
"""Items asked for per page: the API serves at most 100; an account may serve fewer."""


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


def _id_of(view: Mapping[str, Any]) -> int | None:
    """A resource's id as an int (the API shows ids as text)."""
    return as_decimal(str(view.get("id", "")).strip())


async def read_one(
    client: ApiClient, reading: Reading, identifier: int
) -> Mapping[str, Any] | None:
    """``GET`` one resource by id; ``None`` when there is no such resource."""
    return await _get_or_none(client, reading.one.format(id=identifier), reading.item_key)


async def find(
    client: ApiClient, reading: Reading, value: str, *, natural: str = ""
) -> Mapping[str, Any] | None:
    """The resource whose natural key is ``value``; ``None`` when none has it. A kind without
    a look-up is found in its whole list (every page), by the field ``natural`` (``serie``) or
    else the reading's ``named_by`` (``name``)."""
    field = natural or reading.named_by
    if reading.find is None and field:
        listed = await read_whole(client, reading)
        return next((item for item in listed if item.get(field) == value), None)
    if reading.find is None:
        raise ValueError("this kind can't be found by a natural key")
    path, parameter = reading.find
    return await _get_or_none(client, path, reading.item_key, params={parameter: value})


async def read_whole(client: ApiClient, reading: Reading) -> tuple[Mapping[str, Any], ...]:
    """Every resource of a list, through every page when it is paginated."""
    if reading.paginated:
        return tuple((await read_all(client, reading)).values())
    return await read_list(client, reading)


async def read_list(client: ApiClient, reading: Reading) -> tuple[Mapping[str, Any], ...]:
    """``GET`` a list that is not paginated: every item, each with a decimal id."""
    path, key = reading.listing, reading.list_key
    answer = await client.request("GET", path)
    body = answer.body
    items = body.get(key) if isinstance(body, Mapping) else None
    if not isinstance(items, list) or not all(
        isinstance(s, Mapping) and as_decimal(str(s.get("id", ""))) is not None for s in items
    ):
        raise ApiError(answer.status, f"unexpected answer: no '{key}' list", "GET", path)
    return tuple(items)


@dataclass(frozen=True)
class _Page:
    """One page of a list and what its ``pagination`` block says (``None``: absent
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


async def _page(client: ApiClient, reading: Reading, number: int) -> _Page:
    path, key = reading.listing, reading.list_key
    params = {"page": str(number), "per_page": str(PER_PAGE)}
    answer = await client.request("GET", path, params=params)
    body = answer.body
    items = body.get(key) if isinstance(body, Mapping) else None
    if not isinstance(items, list) or not all(isinstance(c, Mapping) for c in items):
        raise ApiError(answer.status, f"unexpected answer: no '{key}' list", "GET", path)
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


async def read_all(client: ApiClient, reading: Reading) -> dict[int, Mapping[str, Any]]:
    """Every resource of a paginated list, by id, through every page.

    Never a partial list: when the pages read hold another number of items than the list's
    ``total_entries``, ``ApiError`` says so and nothing is returned.
    """
    return await _rest_of_list(client, reading, await _page(client, reading, 1))


async def _rest_of_list(
    client: ApiClient, reading: Reading, first: _Page
) -> dict[int, Mapping[str, Any]]:
    """Pages 2 onwards, read concurrently when the first page says how many there are (the
    client's rate limit paces them); else one after another until one comes back short or empty.
    An item seen on two pages (the list shifted while being read) is kept once."""
    pages = [first.items]
    needed = _pages_needed(first)
    if needed is not None and needed > 1:
        more = (_only_items(client, reading, n) for n in range(2, needed + 1))
        pages += await asyncio.gather(*more)
    if first.total_entries is None:
        await _follow(client, reading, pages, first.per_page or len(first.items))
    read = sum(len(page) for page in pages)
    if first.total_entries is not None and read != first.total_entries:
        key = reading.list_key
        raise ApiError(
            200,
            f"the {key} list says it has {first.total_entries} {key} but its "
            f"{len(pages)} page(s) held {read}; nothing was taken from it",
            "GET",
            reading.listing,
        )
    return _by_id(item for page in pages for item in page)


async def _follow(
    client: ApiClient, reading: Reading, pages: list[list[Mapping[str, Any]]], size: int
) -> None:
    """Read further pages until one is shorter than ``size`` or empty. A page that brings no
    item not already seen (a server ignoring ``page``) is an error, not an endless loop."""
    seen = {_id_of(item) for page in pages for item in page}
    while size and len(pages[-1]) >= size:
        items = await _only_items(client, reading, len(pages) + 1)
        fresh = {_id_of(item) for item in items} - seen
        if items and not fresh:
            key = reading.list_key
            raise ApiError(
                200,
                f"page {len(pages) + 1} of the {key} list repeats {key} already read",
                "GET",
                reading.listing,
            )
        seen |= fresh
        pages.append(items)


async def _only_items(client: ApiClient, reading: Reading, number: int) -> list[Mapping[str, Any]]:
    return (await _page(client, reading, number)).items


def _by_id(items: Iterable[Mapping[str, Any]]) -> dict[int, Mapping[str, Any]]:
    found: dict[int, Mapping[str, Any]] = {}
    for item in items:
        identifier = _id_of(item)
        if identifier is not None:
            found[identifier] = item
    return found


async def read_each(
    client: ApiClient, reading: Reading, ids: Iterable[int]
) -> dict[int, Mapping[str, Any] | None]:
    """The resources with these ids, in the fewest requests: the whole list when it is
    paginated and has fewer pages than there are resources to read, else one ``GET`` each. One
    the list lacks is looked up on its own before it is called gone."""
    wanted = sorted(set(ids))
    listed: Mapping[int, Mapping[str, Any]] = {}
    if len(wanted) > 1 and reading.paginated:
        first = await _page(client, reading, 1)
        listed = _by_id(first.items)
        needed = _pages_needed(first)
        if needed is None or needed < len(wanted):
            listed = await _rest_of_list(client, reading, first)
    missing = [i for i in wanted if i not in listed]
    fetched = await asyncio.gather(*(read_one(client, reading, i) for i in missing))
    found: dict[int, Mapping[str, Any] | None] = {i: listed[i] for i in wanted if i in listed}
    found.update(zip(missing, fetched, strict=True))
    return found


async def _declared(client: ApiClient, reading: Reading, ids: tuple[int, ...]) -> Any:
    if reading.mode == "one":
        return await read_one(client, reading, ids[0])
    if reading.mode == "list":
        return await read_list(client, reading)
    return await read_each(client, reading, ids)


async def read_live(client: ApiClient, state: DesiredState) -> LiveState:
    """Read exactly what the (resolved) desired state declares, every kind at once."""
    reads: dict[str, Any] = {}
    wanted = [(k.reading, k.wanted(state)) for k in registry.KINDS if k.reading is not None]
    asked = [(reading, ids) for reading, ids in wanted if ids is not None]
    answers = await asyncio.gather(*(_declared(client, r, ids) for r, ids in asked))
    for (reading, _), answer in zip(asked, answers, strict=True):
        reads[reading.slot] = answer
    return LiveState.of_reads(reads)


async def _everything(client: ApiClient, reading: Reading, account_id: int) -> Any:
    if reading.mode == "one":
        return await read_one(client, reading, account_id)
    if reading.mode == "list":
        return await read_list(client, reading)
    if reading.paginated:
        return await read_all(client, reading)
    raise ValueError(f"the {reading.list_key} list can't be read whole")


async def read_everything(client: ApiClient, account_id: int) -> LiveState:
    """Everything of every kind: the account by its id, every page of each paginated list,
    each whole list."""
    readings = [k.reading for k in registry.KINDS if k.reading is not None]
    answers = await asyncio.gather(*(_everything(client, r, account_id) for r in readings))
    return LiveState.of_reads({r.slot: a for r, a in zip(readings, answers, strict=True)})
