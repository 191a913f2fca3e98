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
    """The fields the user declared (``id`` excluded), secrets still as ``SecretStr``: what
    ``model_dump(exclude_unset=True, exclude_none=True, by_alias=True)`` gives, read from the
    model's values where they are text, numbers, secrets and models of those (a property test
    holds the two together), else dumped by pydantic."""
    data = _declared(model)
    if data is None:
        data = model.model_dump(exclude_unset=True, exclude_none=True, by_alias=True)
    data.pop("id", None)
    return data


_KEPT = frozenset({str, int, bool, SecretStr})
"""The types of value a dump in Python mode gives back as they are."""
_NAMES: dict[type[BaseModel], tuple[str, ...] | None] = {}


def _field_names(kind: type[BaseModel]) -> tuple[str, ...] | None:
    """A model's field names in order, or None when a field has an alias (pydantic dumps it)."""
    if kind not in _NAMES:
        fields = kind.model_fields
        aliased = any(info.alias not in (None, name) for name, info in fields.items())
        _NAMES[kind] = None if aliased else tuple(fields)
    return _NAMES[kind]


def _declared(model: BaseModel) -> dict[str, Any] | None:
    """The set fields that are not None, or None for a value of another kind than ``_KEPT``
    and models of those."""
    names = _field_names(type(model))
    if names is None:
        return None
    declared = model.model_fields_set
    values = model.__dict__
    out: dict[str, Any] = {}
    for name in names:
        if name not in declared:
            continue
        value = values[name]
        if type(value) in _KEPT:
            out[name] = value
        elif isinstance(value, BaseModel):
            inner = _declared(value)
            if inner is None:
                return None
            out[name] = inner
        elif value is not None:
            return None
    return out


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
