"""The built-in demo data set: one Portuguese account, three sequences, three clients, the
mainland Portuguese tax table and three items.

The data set is plain JSON-able data, the same shape ``--data FILE`` stores:

- ``account``: the one account the API key belongs to. Besides the API's fields it holds
  ``credentials`` (``None`` or username, Base64 password, type, context) and the internal flag
  ``at_open_activity`` (the fiscal id has open activity at the Tax Authority; register's 003).
- ``taken_fiscal_ids``: fiscal ids used by other accounts of the system.
- ``sequences``: stored sequence records (see ``sequences.py``).
- ``clients``: stored client records, ``id`` an int, ``send_options`` a string.
- ``taxes``: stored tax records (see ``taxes.py``); one is the default.
- ``items``: stored item records (see ``items.py``), naming their tax by id.

A data file written before taxes and items were served lacks those two keys; it loads with
both empty.
"""

from __future__ import annotations

import copy
from typing import Any

from reconciler.sandbox.items import new_item
from reconciler.sandbox.sequences import new_sequence
from reconciler.sandbox.taxes import new_tax

ACCOUNT_ID = 12345
IVA23_ID = 31540


def _taxes() -> list[dict[str, Any]]:
    """The mainland rates (normal, intermediate, reduced, exempt); IVA23 is the default."""
    taxes = [
        new_tax(IVA23_ID, "IVA23", "23.0", code="NOR"),
        new_tax(IVA23_ID + 1, "IVA13", "13.0", code="INT"),
        new_tax(IVA23_ID + 2, "IVA6", "6.0", code="RED"),
        new_tax(IVA23_ID + 3, "IVA0", "0.0", code="ISE"),
    ]
    taxes[0]["default_tax"] = 1
    return taxes


def _client(client_id: int, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": client_id,
        "name": "",
        "code": "",
        "email": "",
        "language": None,
        "address": "",
        "city": "",
        "postal_code": "",
        "country": "",
        "fiscal_id": "",
        "website": "",
        "phone": "",
        "fax": "",
        "preferred_contact": {"name": "", "email": "", "phone": ""},
        "observations": "",
        "send_options": "1",
    }
    record.update(fields)
    return record


_DEMO: dict[str, Any] = {
    "account": {
        "id": ACCOUNT_ID,
        "organization_name": "Sandbox Demo, Lda",
        "email": "demo@sandbox.example",
        "fiscal_id": "999999990",
        "tax_country": "1",
        "language": "pt",
        "address": "Rua Augusta 1",
        "postal_code": "1100-048",
        "city": "Lisboa",
        "first_name": "Ana",
        "last_name": "Silva",
        "phone": "210000000",
        "terms": "1",
        "marketing": "0",
        "credentials": None,
        "at_open_activity": True,
    },
    "taken_fiscal_ids": ["500000000", "501964843"],
    "sequences": [
        new_sequence(146090, "2025"),
        new_sequence(
            146110,
            "2024",
            default=True,
            registered=True,
            numbers={"invoice": 42, "invoice_receipt": 17, "credit_note": 3, "receipt": 12},
        ),
        new_sequence(146130, "2026"),
    ],
    "clients": [
        _client(
            42,
            name="Client Name",
            code="12345",
            email="foo@bar.com",
            language="pt",
            address="Avenida da República, Lisboa",
            city="Lisboa",
            postal_code="1050-555",
            country="Portugal",
            fiscal_id="508025338",
            website="www.invoicexpress.com",
            phone="213456789",
            fax="213456788",
            preferred_contact={
                "name": "Bruce Norris",
                "email": "email@invoicexpress.com",
                "phone": "213456789",
            },
            observations="Observations",
            send_options="1",
        ),
        _client(
            43,
            name="Cliente Exemplo, S.A.",
            code="C-0043",
            email="geral@exemplo.pt",
            language="pt",
            country="Portugal",
            city="Porto",
            postal_code="4000-001",
            send_options="1",
        ),
        _client(
            44,
            name="Old Customer Ltd",
            code="C-0044",
            email="accounts@oldcustomer.example",
            language="en",
            country="UK",
            send_options="2",
        ),
    ],
    "taxes": _taxes(),
    "items": [
        new_item(402322, "Consultoria", "Hora de consultoria", "60.00", "hour", IVA23_ID),
        new_item(402323, "Livro", "Livro técnico", "24.90", "unit", IVA23_ID + 2),
        new_item(402324, "Formação", "Dia de formação", "450.00", "day", IVA23_ID + 3),
    ],
}


def demo_data() -> dict[str, Any]:
    """A fresh deep copy of the built-in demo data set."""
    return copy.deepcopy(_DEMO)


def new_client(client_id: int) -> dict[str, Any]:
    """An empty stored client record, every optional field unset."""
    return _client(client_id)


def check_shape(data: object) -> dict[str, Any]:
    """The data set if it has the expected top-level shape; ``ValueError`` saying what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("the data set must be a JSON object")
    for key in ("taxes", "items"):
        data.setdefault(key, [])
    expected = {
        "account": dict,
        "taken_fiscal_ids": list,
        "sequences": list,
        "clients": list,
        "taxes": list,
        "items": list,
    }
    for key, kind in expected.items():
        if not isinstance(data.get(key), kind):
            name = "object" if kind is dict else "array"
            raise ValueError(f"the data set's {key!r} must be a JSON {name}")
    return data
