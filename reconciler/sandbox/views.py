"""How stored records are shown in responses.

Ids are JSON numbers: the Get Client spec types every field as a string, but the third-party
clients that decode ids (voluzi/go-invoicexpress, filipetoscano/invoice-express,
square-bit) decode numbers, and a client that reads numbers fails on text while a tolerant
one reads either. ``Quirks.text_numbers`` sends them as text.
"""

from __future__ import annotations

from typing import Any

from reconciler.sandbox.quirks import Quirks
from reconciler.sandbox.sequences import INTERNAL_FLAGS

ACCOUNT_FIELDS = (
    "organization_name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "fiscal_id",
    "address",
    "postal_code",
    "city",
    "tax_country",
    "language",
    "terms",
    "marketing",
)
CLIENT_FIELDS = (
    "name",
    "code",
    "email",
    "language",
    "address",
    "city",
    "postal_code",
    "country",
    "fiscal_id",
    "website",
    "phone",
    "fax",
)
OPEN_ACCOUNT_LINK = "https://sandbox.app.invoicexpress.com/clients/{id}/open_account"


def shown_number(value: int, quirks: Quirks | None = None) -> int | str:
    """An id or a pagination number as the run shows numbers: a number, or its text."""
    return str(value) if quirks is not None and quirks.text_numbers else int(value)


def account_view(account: dict[str, Any], quirks: Quirks | None = None) -> dict[str, Any]:
    """The account without passwords or internal flags, and without ``credentials`` at all
    when the run hides them (``quirks`` ``None``: the documented answer)."""
    view: dict[str, Any] = {"id": shown_number(account["id"], quirks)}
    view.update({key: account.get(key) for key in ACCOUNT_FIELDS})
    if quirks is not None and quirks.hide_credentials:
        return view
    credentials = account.get("credentials")
    view["credentials"] = (
        {key: credentials.get(key) for key in ("username", "type", "context")}
        if isinstance(credentials, dict)
        else None
    )
    return view


def client_view(client: dict[str, Any], quirks: Quirks | None = None) -> dict[str, Any]:
    """The client as GET /clients/:id.json documents it: every field a string but ``id``.

    ``code`` is not in the documented field list but the create and update bodies carry it, and
    reading it back is the only way to find a client's code; ``language`` may be ``null`` (the
    account's language applies).
    """
    view: dict[str, Any] = {"id": shown_number(client["id"], quirks)}
    view.update({key: client.get(key, "") for key in CLIENT_FIELDS})
    view["language"] = client.get("language")
    contact = client.get("preferred_contact") or {}
    view["preferred_contact"] = {key: contact.get(key, "") for key in ("name", "email", "phone")}
    view["observations"] = client.get("observations", "")
    view["open_account_link"] = OPEN_ACCOUNT_LINK.format(id=client["id"])
    view["send_options"] = str(client.get("send_options", "1"))
    view["payment_days"] = "0"
    view["tax_exemption_code"] = "M00"
    return view


def sequence_view(record: dict[str, Any], quirks: Quirks | None = None) -> dict[str, Any]:
    """The sequence as the API shows it: no internal flags; ``id`` a number, as in register's
    documented answer (the per-type ``current_*`` fields are always numbers)."""
    view = {key: value for key, value in record.items() if key not in INTERNAL_FLAGS}
    view["id"] = shown_number(record["id"], quirks)
    return view
