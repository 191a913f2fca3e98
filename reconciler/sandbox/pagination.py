"""Pages of a list, as ``GET /clients.json`` and ``GET /items.json`` serve them.

``page`` defaults to 1 and ``per_page`` to 10; both must be positive integers (else 422).
``per_page`` above the run's ``max_per_page`` is served, and reported, as that maximum; a page
past the last one is empty; an empty list has ``total_pages`` 0. The block's four numbers are
JSON numbers, or text with ``Quirks.text_numbers``.
"""

from __future__ import annotations

import math
from typing import Any

from aiohttp import web

from reconciler.sandbox import replies
from reconciler.sandbox.quirks import Quirks
from reconciler.sandbox.views import shown_number

DEFAULT_PER_PAGE = 10


def _positive(request: web.Request, name: str, default: int) -> int | None:
    text = request.query.get(name)
    if text is None:
        return default
    text = text.strip()
    if text.isascii() and text.isdigit() and 0 < int(text) < 2**31:
        return int(text)
    return None


def requested(request: web.Request, quirks: Quirks) -> tuple[int, int] | web.Response:
    """``(page, per_page)`` as served, or the 422 answer naming each bad parameter."""
    page = _positive(request, "page", 1)
    per_page = _positive(request, "per_page", DEFAULT_PER_PAGE)
    if page is None or per_page is None:
        problems = [
            f"{name} must be a positive integer"
            for name, value in (("page", page), ("per_page", per_page))
            if value is None
        ]
        return replies.errors(422, problems)
    return page, min(per_page, max(1, quirks.max_per_page))


def page_of(
    records: list[dict[str, Any]], page: int, per_page: int, quirks: Quirks
) -> tuple[list[dict[str, Any]], dict[str, int | str]]:
    """The records of ``page`` (of a list already in order) and the ``pagination`` block."""
    start = (page - 1) * per_page
    numbers = {
        "current_page": page,
        "total_pages": math.ceil(len(records) / per_page),
        "total_entries": len(records),
        "per_page": per_page,
    }
    block = {key: shown_number(value, quirks) for key, value in numbers.items()}
    return records[start : start + per_page], block
