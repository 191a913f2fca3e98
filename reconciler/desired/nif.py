"""Portuguese fiscal ids (NIF): the check digit of a plain one (nine ASCII digits) worked out
here, any other spelling judged by python-stdnum (a property test holds the two together)."""

from __future__ import annotations

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)
_ZERO = ord("0")


def valid_nif(value: str) -> bool:
    """Whether ``value`` is a valid Portuguese NIF, as ``stdnum.pt.nif.is_valid`` says."""
    if len(value) == 9 and value.isascii() and value.isdigit():
        if value[0] == "0":
            return False
        total = sum(w * (ord(c) - _ZERO) for w, c in zip(_WEIGHTS, value, strict=False))
        return (11 - total) % 11 % 10 == ord(value[8]) - _ZERO
    # Imported here: python-stdnum loads ssl, which a file of plain NIFs never needs.
    from stdnum.pt import nif

    return bool(nif.is_valid(value))
