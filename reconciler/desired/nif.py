"""Portuguese fiscal ids (NIF): the check digit of a plain one (nine ASCII digits) worked out
here, any other spelling judged by python-stdnum (a property test holds the two together)."""

from __future__ import annotations

from operator import mul

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)
_ZERO = ord("0")


def valid_nif(value: str) -> bool:
    """Whether ``value`` is a valid Portuguese NIF, as ``stdnum.pt.nif.is_valid`` says."""
    if len(value) == 9 and value.isascii() and value.isdigit():
        if value[0] == "0":
            return False
        digits = value.encode("ascii")  # each digit's code, 48 more than its value
        total: int = sum(map(mul, _WEIGHTS, digits)) - _ZERO * sum(_WEIGHTS)
        return (11 - total) % 11 % 10 == digits[8] - _ZERO
    # Imported here: python-stdnum loads ssl, which a file of plain NIFs never needs.
    from stdnum.pt import nif

    return bool(nif.is_valid(value))
