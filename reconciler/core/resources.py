"""The resources a desired state manages, as plain data: keys, declared fields, request bodies.

A resource's *declared fields* are exactly the fields the user wrote (``null`` counts as not
written), normalized by the models. Secrets stay ``SecretStr`` in request bodies and become
keyed digests in the form that is compared and recorded.
"""

from __future__ import annotations

import base64
from typing import Any

from pydantic import BaseModel, SecretStr

from reconciler.core.secrets import DigestKey
from reconciler.desired.models import Account, Client

ACCOUNT = "account"
DEFAULT_SEQUENCE = "default_sequence"
CLIENT_PREFIX = "client:"
REGISTRATION_PREFIX = "registration:"


def client_key(client_id: int) -> str:
    """The known-state key of a client."""
    return f"{CLIENT_PREFIX}{client_id}"


def registration_key(sequence_id: int) -> str:
    """The known-state key of a sequence's registration with the Tax Authority."""
    return f"{REGISTRATION_PREFIX}{sequence_id}"


def is_resource(key: str) -> bool:
    """Whether a known-state key is a resource the desired state declares (not a look-up)."""
    return key == DEFAULT_SEQUENCE or key.startswith(
        (ACCOUNT + ":", CLIENT_PREFIX, REGISTRATION_PREFIX)
    )


def describe(key: str) -> str:
    """A resource key as shown: ``client 43``, ``account 12345``, ``default sequence``."""
    if key == DEFAULT_SEQUENCE:
        return "default sequence"
    if key.startswith(REGISTRATION_PREFIX):
        return f"registration of sequence {key.removeprefix(REGISTRATION_PREFIX)}"
    kind, _, identifier = key.partition(":")
    return f"{kind} {identifier}" if identifier else kind


def declared_fields(model: BaseModel) -> dict[str, Any]:
    """The fields the user declared (``id`` excluded), secrets still as ``SecretStr``."""
    data = model.model_dump(exclude_unset=True, exclude_none=True, by_alias=True)
    data.pop("id", None)
    return data


def comparable(fields: dict[str, Any], key: DigestKey) -> dict[str, Any]:
    """Declared fields in the form compared with and recorded in the known state."""
    return {
        name: _comparable_value(value, key) if isinstance(value, _NOT_PLAIN) else value
        for name, value in fields.items()
    }


_NOT_PLAIN = (SecretStr, dict)  # a tuple: isinstance checks one faster than a union


def _comparable_value(value: Any, key: DigestKey) -> Any:
    if isinstance(value, SecretStr):
        return key.digest(value)
    if isinstance(value, dict):
        return comparable(value, key)
    return value


def account_body(account: Account) -> dict[str, Any]:
    """The body of ``PUT /api/accounts/:id/update.json``: every declared field."""
    fields = declared_fields(account)
    credentials = fields.get("credentials")
    if credentials is not None:
        password: SecretStr = credentials["password"]
        encoded = base64.b64encode(password.get_secret_value().encode("utf-8")).decode("ascii")
        fields["credentials"] = {**credentials, "password": SecretStr(encoded)}
    return {"account": fields}


def client_body(client: Client) -> dict[str, Any]:
    """The body of ``PUT /clients/:id.json``: every declared field (name and code always)."""
    fields = declared_fields(client)
    if "send_options" in fields:
        # The API documents send_options as "1".."3" in its examples and returns it as text.
        fields["send_options"] = str(fields["send_options"])
    return {"client": fields}
