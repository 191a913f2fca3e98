"""How an unquoted scalar resolves: null, or text that YAML would read as a number or boolean."""

from __future__ import annotations

import re
from functools import cached_property

_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_INT = re.compile(r"[-+]?(?:0b[0-1_]+|0o?[0-7_]+|[0-9_]+|0x[0-9a-fA-F_]+)")
_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
    r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
MAX_DIGITS = 4300  # Python's default limit on converting text to int (sys.int_info)
NULLS = frozenset({"", "~", "null", "Null", "NULL"})
# Every text ``implicit`` reads as null, a boolean or a number (and a few it keeps as text).
READS_OTHERWISE = re.compile(f"~|null|Null|NULL|{_BOOL.pattern}|{_INT.pattern}|{_FLOAT.pattern}")


class ImplicitScalar(str):
    """An unquoted scalar YAML would read as a number or boolean: its text, and ``.value``.

    Made from its text alone, so that making one costs no more than a ``str``: the value is
    read from the text the first time it is asked for (most never are).
    """

    @cached_property
    def value(self) -> int | float | bool:
        return _value_of(self.strip())

    def __repr__(self) -> str:
        return f"ImplicitScalar({str.__repr__(self)})"


class LongNumber(str):
    """An unquoted whole number too long to convert (more than ``MAX_DIGITS`` digits): text,
    but marked as written unquoted, so that it is refused as a number rather than read as a
    name (an unquoted ``sequences.default`` is an id, never a serie)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"LongNumber({len(self)} characters)"


def implicit(text: str) -> str | ImplicitScalar | None:
    """Resolve an unquoted scalar as YAML 1.2 would, keeping numbers' and booleans' text."""
    if text in NULLS:
        return None
    first = text[0]
    if first in "tTfF" and _BOOL.fullmatch(text):
        return ImplicitScalar(text)
    if first in "0123456789" and text.isascii() and text.isdigit():
        # The common case, decimal digits only; one too long to convert stays text, marked.
        return ImplicitScalar(text) if len(text) <= MAX_DIGITS else LongNumber(text)
    if first in "-+0123456789.":
        if _INT.fullmatch(text):
            return native(text, "int")
        if _FLOAT.fullmatch(text):
            return native(text, "float")
    return text


def native(text: str, kind: str) -> str | ImplicitScalar:
    """``text`` with its value as ``kind`` (int or float); plain text if it isn't one (an
    integer too long to convert is a ``LongNumber``)."""
    value = _number(text, kind)
    if value is None:
        return LongNumber(text) if kind == "int" else text
    scalar = ImplicitScalar(text)
    scalar.value = value
    return scalar


def _value_of(text: str) -> int | float | bool:
    """The value of text that ``implicit`` reads as a boolean or a number."""
    if _BOOL.fullmatch(text):
        return text.lower() == "true"
    value = _number(text, "int" if _INT.fullmatch(text) else "float")
    if value is None:
        raise ValueError(f"not a number: {text!r}")
    return value


def _number(text: str, kind: str) -> int | float | None:
    plain = text.replace("_", "").strip()
    try:
        if kind == "float":
            lowered = plain.lower().replace(".inf", "inf").replace(".nan", "nan")
            return float(lowered)
        sign = -1 if plain.startswith("-") else 1
        digits = plain.lstrip("+-")
        base = {"0b": 2, "0o": 8, "0x": 16}.get(digits[:2].lower(), 10)
        return sign * int(digits[2:] if base != 10 else digits, base)
    except ValueError:
        return None
