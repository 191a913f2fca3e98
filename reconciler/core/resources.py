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
    return declared_forms(model, None)[0]


def declared_forms(
    model: BaseModel, key: DigestKey | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The declared fields (as ``declared_fields``, for a request body) and, with a ``key``,
    their comparable form (``comparable``), made in one pass over the model.

    The fields are what ``model_dump(exclude_unset=True, exclude_none=True, by_alias=True)``
    gives, read from the model's values where they are text, numbers, secrets and models of
    those (a property test holds the two together), else dumped by pydantic.
    """
    walked = _walk(model, key)
    if walked is None:
        fields = model.model_dump(exclude_unset=True, exclude_none=True, by_alias=True)
        fields.pop("id", None)
        return fields, comparable(fields, key) if key is not None else {}
    fields, compared = walked
    fields.pop("id", None)
    compared.pop("id", None)
    return fields, compared


_PLAIN = frozenset({str, int, bool})
"""The types of value a dump in Python mode gives back as they are, and compared as they are."""
_ALIASED: dict[type[BaseModel], bool] = {}


def _aliased(kind: type[BaseModel]) -> bool:
    """Whether a field of the model has an alias (pydantic dumps it by that name)."""
    if kind not in _ALIASED:
        fields = kind.model_fields
        _ALIASED[kind] = any(info.alias not in (None, name) for name, info in fields.items())
    return _ALIASED[kind]


def _walk(model: BaseModel, key: DigestKey | None) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The set fields that are not None, and their comparable form; None for a model with an
    alias or a value of another kind than ``_PLAIN``, ``SecretStr`` and models of those."""
    aliased = _ALIASED.get(type(model))
    if aliased or (aliased is None and _aliased(type(model))):
        return None
    declared = model.__pydantic_fields_set__
    fields: dict[str, Any] = {}
    other: dict[str, Any] = {}  # the comparable forms that are not the field's own value
    for name, value in model.__dict__.items():
        if value is None or name not in declared:
            continue
        kind = type(value)
        if kind in _PLAIN:
            fields[name] = value
        elif kind is SecretStr:
            fields[name] = value
            other[name] = key.digest(value) if key is not None else value
        elif isinstance(value, BaseModel):
            inner = _walk(value, key)
            if inner is None:
                return None
            inner_fields, inner_compared = inner
            # No secret inside: the body and the record share one dict (neither is changed
            # in place), which a plan of many changed resources keeps once, not twice.
            fields[name] = inner_fields
            if inner_fields != inner_compared:
                other[name] = inner_compared
        else:
            return None
    compared = dict(fields)  # copied in C, the few other forms put in their places after
    if other:
        compared.update(other)
    return fields, compared


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
