"""How stored records are shown in responses."""

from __future__ import annotations

from typing import Any

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


def account_view(account: dict[str, Any]) -> dict[str, Any]:
    """The account without passwords or internal flags; ``id`` a string, as the API's ids are."""
    view: dict[str, Any] = {"id": str(account["id"])}
    view.update({key: account.get(key) for key in ACCOUNT_FIELDS})
    credentials = account.get("credentials")
    view["credentials"] = (
        {key: credentials.get(key) for key in ("username", "type", "context")}
        if isinstance(credentials, dict)
        else None
    )
    return view


def client_view(client: dict[str, Any]) -> dict[str, Any]:
    """The client as GET /clients/:id.json documents it: every field a string.

    ``code`` is not in the documented field list but the create and update bodies carry it, and
    reading it back is the only way to find a client's code; ``language`` may be ``null`` (the
    account's language applies).
    """
    view: dict[str, Any] = {"id": str(client["id"])}
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
