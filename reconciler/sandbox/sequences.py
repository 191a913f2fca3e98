"""Sequence records: document types, ATCUD validation codes and registration state.

A stored sequence carries exactly the API's fields (``id``, ``serie``, ``default_sequence`` and the
``current_<type>_*`` fields) plus two internal flags that no response shows:

- ``registering``: a registration with the Tax Authority is in progress (register answers 409 008);
- ``at_unknown_error``: the Tax Authority fails with an unexpected error (register answers 422 000).
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

# (document type, offset of its per-type sequence id from the sequence id, relevant for ATCUD),
# in the order of the seed document's example response.
DOCUMENT_TYPES: tuple[tuple[str, int, bool], ...] = (
    ("invoice", 0, True),
    ("invoice_receipt", 2, True),
    ("simplified_invoice", 1, True),
    ("credit_note", 5, True),
    ("debit_note", 4, True),
    ("receipt", 3, True),
    ("shipping", 14, True),
    ("transport", 16, True),
    ("devolution", 15, True),
    ("proforma", 12, True),
    ("quote", 11, True),
    ("fees_note", 13, False),
    ("vat_moss_invoice", 7, False),
    ("vat_moss_credit_note", 8, False),
    ("vat_moss_receipt", 9, False),
)
ATCUD_TYPES: tuple[str, ...] = tuple(name for name, _, relevant in DOCUMENT_TYPES if relevant)
NOT_REGISTERED = "N/D"
NOT_RELEVANT = "N/A"
INTERNAL_FLAGS: tuple[str, ...] = ("registering", "at_unknown_error")

# The Tax Authority's series identifier rule as this sandbox enforces it: 1 to 10 ASCII letters or
# digits. The real rule is not published in the API docs; this one rejects spaces, punctuation and
# accented letters, which is what register's code 001 is for.
SERIE_RULE = re.compile(r"[A-Za-z0-9]{1,10}")


def validation_code(sequence_id: int, document_type: str) -> str:
    """A deterministic 8-character code, shaped like the Tax Authority's (e.g. ``ABCD1234``)."""
    digest = hashlib.sha256(f"{sequence_id}:{document_type}".encode()).digest()
    return base64.b32encode(digest).decode("ascii")[:8]


def new_sequence(
    sequence_id: int,
    serie: str,
    *,
    default: bool = False,
    registered: bool = False,
    numbers: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A stored sequence record, registered (with codes) or not (``N/D``)."""
    record: dict[str, Any] = {
        "id": sequence_id,
        "serie": serie,
        "default_sequence": 1 if default else 0,
    }
    for name, offset, relevant in DOCUMENT_TYPES:
        record[f"current_{name}_number"] = (numbers or {}).get(name, 0)
        record[f"current_{name}_sequence_id"] = sequence_id + offset
        if not relevant:
            code = NOT_RELEVANT
        elif registered:
            code = validation_code(sequence_id, name)
        else:
            code = NOT_REGISTERED
        record[f"current_{name}_validation_code"] = code
    record["registering"] = False
    record["at_unknown_error"] = False
    return record


def _atcud_codes(record: dict[str, Any]) -> list[str]:
    return [str(record.get(f"current_{name}_validation_code")) for name in ATCUD_TYPES]


def is_registered(record: dict[str, Any]) -> bool:
    """Every ATCUD-relevant document type has a validation code."""
    return all(code not in (NOT_REGISTERED, NOT_RELEVANT) for code in _atcud_codes(record))


def is_partially_registered(record: dict[str, Any]) -> bool:
    """Some ATCUD-relevant types have codes and others don't (a registration that half failed)."""
    codes = _atcud_codes(record)
    return NOT_REGISTERED in codes and not all(code == NOT_REGISTERED for code in codes)


def register(record: dict[str, Any]) -> None:
    """Give every unregistered ATCUD-relevant document type its validation code."""
    for name in ATCUD_TYPES:
        key = f"current_{name}_validation_code"
        if record.get(key) == NOT_REGISTERED:
            record[key] = validation_code(int(record["id"]), name)
