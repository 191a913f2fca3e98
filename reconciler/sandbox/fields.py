"""Reading the values of the taxes', items' and sequence creation's bodies.

These bodies are read strictly: a key the resource does not take is refused (422), where the
older account and client routes ignore it. A decimal is a JSON number or a string of ASCII
digits with an optional fraction (``"23.0"``, ``9.99``); exponents, ``NaN`` and booleans are not
numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def unknown_fields(given: Mapping[str, Any], allowed: Iterable[str]) -> list[str]:
    """One message per key of ``given`` that is not in ``allowed``, in the body's order, worded
    as a Rails server that raises on unpermitted parameters words it."""
    known = set(allowed)
    return [f"found unpermitted parameter: :{key}" for key in given if key not in known]


def decimal_of(value: Any) -> Decimal | None:
    """The number ``value`` holds, or ``None`` when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = repr(value) if math.isfinite(value) else ""
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    return Decimal(text) if _NUMBER.fullmatch(text) else None


def places(number: Decimal) -> int:
    """Digits after the point that matter: ``23.10`` has 1, ``20`` has 0."""
    exponent = number.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def is_blank(value: Any) -> bool:
    """Absent, ``null`` or a string of spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def flag(value: Any) -> int | None:
    """A 1/0 flag sent as a number or a string (``"1"``), or ``None``."""
    if isinstance(value, bool):
        return None
    text = str(value).strip() if isinstance(value, str | int) else ""
    return int(text) if text in ("0", "1") else None
