"""The resources a desired state manages, as plain data: their declared fields, compared and
recorded (each kind, in ``core.kinds``, says its keys and request bodies).

A resource's *declared fields* are exactly the fields the user wrote (``null`` counts as not
written), normalized by the models. Secrets stay ``SecretStr`` in request bodies and become
keyed digests in the form that is compared and recorded.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, SecretStr

from reconciler.core.secrets import DigestKey


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
