"""How an unquoted scalar resolves: null, or text that YAML would read as a number or boolean."""

from __future__ import annotations

import re

_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_INT = re.compile(r"[-+]?(?:0b[0-1_]+|0o?[0-7_]+|[0-9_]+|0x[0-9a-fA-F_]+)")
_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
    r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_MAX_DIGITS = 4300  # Python's default limit on converting text to int (sys.int_info)
NULLS = frozenset({"", "~", "null", "Null", "NULL"})


class ImplicitScalar(str):
    """An unquoted scalar YAML would read as a number or boolean: its text, and ``.value``."""

    value: int | float | bool

    def __new__(cls, text: str, value: int | float | bool) -> ImplicitScalar:
        self = super().__new__(cls, text)
        self.value = value
        return self

    def __getnewargs__(self) -> tuple[str, int | float | bool]:  # type: ignore[override]
        return (str(self), self.value)

    def __repr__(self) -> str:
        return f"ImplicitScalar({str.__repr__(self)})"


def implicit(text: str) -> str | ImplicitScalar | None:
    """Resolve an unquoted scalar as YAML 1.2 would, keeping numbers' and booleans' text."""
    if text in NULLS:
        return None
    first = text[0]
    if first in "tTfF" and _BOOL.fullmatch(text):
        return ImplicitScalar(text, text.lower() == "true")
    if first in "0123456789" and text.isascii() and text.isdigit():
        # The common case, decimal digits only; one too long to convert stays text, as in native.
        return ImplicitScalar(text, int(text)) if len(text) <= _MAX_DIGITS else text
    if first in "-+0123456789.":
        if _INT.fullmatch(text):
            return native(text, "int")
        if _FLOAT.fullmatch(text):
            return native(text, "float")
    return text


def native(text: str, kind: str) -> str | ImplicitScalar:
    """``text`` with its value as ``kind`` (int or float); plain text if it isn't one."""
    plain = text.replace("_", "").strip()
    try:
        if kind == "float":
            lowered = plain.lower().replace(".inf", "inf").replace(".nan", "nan")
            return ImplicitScalar(text, float(lowered))
        sign = -1 if plain.startswith("-") else 1
        digits = plain.lstrip("+-")
        base = {"0b": 2, "0o": 8, "0x": 16}.get(digits[:2].lower(), 10)
        return ImplicitScalar(text, sign * int(digits[2:] if base != 10 else digits, base))
    except ValueError:
        return text
