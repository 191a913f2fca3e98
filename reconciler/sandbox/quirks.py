"""Behaviours of the real API, or of servers like it, that a run can switch on.

The defaults are the sandbox's faithful reading of the docs (see README.md); each quirk is a
way the real service has been seen, or may be expected, to differ, so that a client can be
tested against it.

Spec syntax (the command line's ``--quirks``): comma-separated names, any order, each at most
once, e.g. ``max_per_page=30,text_numbers,hide_credentials``:

    max_per_page=N              the clients and items lists serve at most N per page (default
                                100), whatever ``per_page`` asks, and report N as ``per_page``
    text_numbers                ids (account, clients, sequences, taxes, items) and the lists'
                                pagination numbers are sent as JSON strings (``"42"``)
    hide_credentials            the account's ``credentials`` (AT username, type, context) are
                                left out of what GET and PUT account answer
    text_tax_values             the taxes endpoints send a tax's ``value`` as text (``"23.0"``)
    items_without_pagination    ``GET /items.json`` answers ``{"items": [...]}`` with no
                                ``pagination`` block (the page asked for is still served)
    unknown_tax=default|none    an item naming a tax the account lacks gets the default tax, or
                                no tax, instead of a 422
    sequences_created_unregistered
                                ``POST /sequences.json`` creates the series without registering
                                it with the Tax Authority (``register`` is then needed)

The empty spec means none.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_PER_PAGE = 100
UNKNOWN_TAX_CHOICES = ("refuse", "default", "none")


@dataclass
class Quirks:
    """Quirk settings; mutable, and read afresh for every request."""

    max_per_page: int = DEFAULT_MAX_PER_PAGE
    text_numbers: bool = False
    hide_credentials: bool = False
    text_tax_values: bool = False
    items_without_pagination: bool = False
    unknown_tax: str = "refuse"
    sequences_created_unregistered: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.max_per_page, bool) or self.max_per_page < 1:
            raise ValueError("max_per_page must be a whole number of 1 or more")
        if self.unknown_tax not in UNKNOWN_TAX_CHOICES:
            raise ValueError(f"unknown_tax must be one of {', '.join(UNKNOWN_TAX_CHOICES)}")


_FLAGS = (
    "text_numbers",
    "hide_credentials",
    "text_tax_values",
    "items_without_pagination",
    "sequences_created_unregistered",
)
_VALUED = ("max_per_page", "unknown_tax")


def parse_quirks(spec: str) -> Quirks:
    """Parse a ``--quirks`` spec; ``ValueError`` naming the offending part."""
    quirks = Quirks()
    seen: set[str] = set()
    for part in (piece.strip() for piece in spec.split(",")):
        if not part:
            continue
        name, sep, raw = (text.strip() for text in part.partition("="))
        if name not in (*_FLAGS, *_VALUED):
            known = ", ".join(("max_per_page=N", "unknown_tax=default|none", *_FLAGS))
            raise ValueError(f"unknown quirk {name!r} (known: {known})")
        if name in seen:
            raise ValueError(f"quirk {name!r} is given more than once")
        seen.add(name)
        if name in _FLAGS:
            if sep:
                raise ValueError(f"quirk {name!r} takes no value")
            setattr(quirks, name, True)
        elif name == "unknown_tax":
            if raw not in ("default", "none"):
                raise ValueError(f"quirk unknown_tax={raw!r}: expected default or none")
            quirks.unknown_tax = raw
        elif not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 10_000):
            message = f"quirk max_per_page={raw!r}: expected a whole number from 1 to 10000"
            raise ValueError(message)
        else:
            quirks.max_per_page = int(raw)
    return quirks
