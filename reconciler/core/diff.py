"""Pure field-level diff of one resource: what was applied against what is declared.

Only the declared fields count: a field the known state holds but the desired state no
longer declares is not managed any more and is left out of the comparison. Equal resources
are recognized with a plain equality check first; only where something differs are the
fields compared one by one: directly for mappings of scalars (every resource the models
declare), with deepdiff for anything else. This is the only module that imports deepdiff.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.core.secrets import DIGEST_PREFIX, is_digest
from reconciler.core.slots import slot_setters

MISSING: Any = None
"""What ``before`` holds for a field that was never applied."""


@dataclass(frozen=True, order=True, slots=True, init=False)
class FieldChange:
    """One declared field whose applied value differs from the desired one."""

    path: str
    before: Any
    after: Any
    sensitive: bool = False

    def __init__(self, path: str, before: Any, after: Any, sensitive: bool = False) -> None:
        # Each slot set directly: a frozen dataclass's own ``__init__`` sets each through
        # ``object.__setattr__``, twice the cost, and a plan makes one of these per change.
        _set_path(self, path)
        _set_before(self, before)
        _set_after(self, after)
        _set_sensitive(self, sensitive)


_set_path, _set_before, _set_after, _set_sensitive = slot_setters(FieldChange)


def restrict(applied: Mapping[str, Any], declared: Mapping[str, Any]) -> dict[str, Any]:
    """``applied`` cut down to the keys ``declared`` has, recursively through mappings."""
    out: dict[str, Any] = {}
    for key, value in declared.items():
        if key not in applied:
            continue
        before = applied[key]
        if _both_mappings(value, before):
            out[key] = restrict(before, value)
        else:
            out[key] = before
    return out


def _both_mappings(one: Any, other: Any) -> bool:
    """``_is_mapping(one) and _is_mapping(other)``, told by exact type for the usual values."""
    if type(one) in _SCALAR_TYPES or type(other) in _SCALAR_TYPES:
        return False
    return _is_mapping(one) and _is_mapping(other)


def diff_fields(
    applied: Mapping[str, Any] | None,
    declared: Mapping[str, Any],
    *,
    secrets_comparable: bool = True,
) -> tuple[FieldChange, ...]:
    """The declared fields whose value differs from what was applied, sorted by path.

    ``applied`` is None for a resource never applied: every declared field is a change.
    With ``secrets_comparable`` False (the digest key changed) every secret counts as changed.
    """
    if applied is None:
        return tuple(sorted(_all_fields(declared)))
    if applied == declared and secrets_comparable:
        return ()  # the usual case: the record is exactly what is declared
    found = field_changes(applied, declared)
    if secrets_comparable and len(found) == 1:
        only = found[0]  # the usual changed resource: one field, truly changed
        if not (only.before is only.after or only.before == only.after):
            return (only,)
    if secrets_comparable and _maybe_equal(found) and restrict(applied, declared) == declared:
        return ()  # equal but for undeclared fields, or values equal across types (1, True)
    changes = {c.path: c for c in found}
    if not secrets_comparable:
        for change in _all_fields(declared):
            if change.sensitive and change.path not in changes:
                changes[change.path] = FieldChange(change.path, change.after, change.after, True)
    return tuple(sorted(changes.values()))


def _all_fields(declared: Mapping[str, Any], prefix: str = "") -> list[FieldChange]:
    changes: list[FieldChange] = []
    for key, value in declared.items():
        path = f"{prefix}{key}"
        if _is_mapping(value):
            changes.extend(_all_fields(value, path + "."))
        else:
            changes.append(FieldChange(path, MISSING, value, is_digest(value)))
    return changes


def _maybe_equal(changes: list[FieldChange]) -> bool:
    """Whether the declared fields may still equal the record's (as ``==`` compares mappings):
    no change is of a value unequal to the one recorded, so the record is cut down to them
    and compared (most changed resources are decided at their first change)."""
    return all(c.before is c.after or c.before == c.after for c in changes)


def field_changes(known: Mapping[str, Any], declared: Mapping[str, Any]) -> list[FieldChange]:
    """The declared fields (and nested fields) whose value differs from ``known``'s (which may
    hold undeclared fields: they are not looked at)."""
    found = _mapping_changes(known, declared, "")
    return found if found is not None else _deep_changes(restrict(known, declared), declared)


def _flat(data: Mapping[str, Any]) -> bool:
    """Whether ``data`` holds only scalars and mappings of them (no lists, sets, ...)."""
    for value in data.values():
        kind = type(value)
        if kind in _SCALAR_TYPES or isinstance(value, _SCALARS):
            continue
        if not (_is_mapping(value) and _flat(value)):
            return False
    return True


_SCALARS = (str, int, float, bool, type(None))
_SCALAR_TYPES = frozenset(_SCALARS)


def _is_mapping(value: Any) -> bool:
    """``isinstance(value, Mapping)``, without the slow abstract-class check for the usual
    values: plain dicts and scalars."""
    kind = type(value)
    if kind is dict:
        return True
    if kind in _SCALAR_TYPES:
        return False
    return not isinstance(value, _SCALARS) and isinstance(value, Mapping)


def _mapping_changes(
    known: Mapping[str, Any], declared: Mapping[str, Any], prefix: str
) -> list[FieldChange] | None:
    """What deepdiff reports (changed values and types, added keys, every field of an added
    mapping), in one pass over the declared keys; None when two values compared are not both
    scalars or mappings of them (deepdiff compares those)."""
    changes: list[FieldChange] = []
    get = known.get
    for key, after in declared.items():
        before = get(key, _ABSENT)
        kind = type(after)
        if kind is type(before):
            if kind is str:  # the usual field, asked first
                if before == after:
                    continue
                sensitive = after.startswith(DIGEST_PREFIX) or before.startswith(DIGEST_PREFIX)
                changes.append(FieldChange(f"{prefix}{key}", before, after, sensitive))
                continue
            if kind in _SCALAR_TYPES:
                if before == after:
                    continue
                changes.append(FieldChange(f"{prefix}{key}", before, after))
                continue
            if kind is dict:
                inner = _mapping_changes(before, after, f"{prefix}{key}.")
                if inner is None:
                    return None
                changes += inner
                continue
        if before is _ABSENT:
            path = f"{prefix}{key}"
            if _is_mapping(after):
                changes.extend(_all_fields(after, path + "."))
            else:
                changes.append(FieldChange(path, MISSING, after, is_digest(after)))
            continue
        if _both_mappings(after, before):
            inner = _mapping_changes(before, after, f"{prefix}{key}.")
            if inner is None:
                return None
            changes.extend(inner)
            continue
        if not _flat({"before": before, "after": after}):
            return None
        path = f"{prefix}{key}"
        changes.append(FieldChange(path, before, after, is_digest(after) or is_digest(before)))
    return changes


_ABSENT: Any = object()
"""What ``get`` answers for a key a mapping does not hold (its values may be None)."""


def _deep_changes(known: dict[str, Any], declared: Mapping[str, Any]) -> list[FieldChange]:
    from deepdiff import DeepDiff  # only a plan with unusual changes pays for importing it

    # threshold 0: always compare field by field, never report a whole mapping as replaced
    found = DeepDiff(
        known, dict(declared), verbose_level=2, view="tree", threshold_to_diff_deeper=0
    )
    changes: list[FieldChange] = []
    for kind in ("values_changed", "type_changes", "dictionary_item_added"):
        for level in found.get(kind, []):
            path = ".".join(str(p) for p in level.path(output_format="list"))
            before = MISSING if kind == "dictionary_item_added" else level.t1
            if kind == "dictionary_item_added" and isinstance(level.t2, Mapping):
                changes.extend(_all_fields(level.t2, path + "."))
                continue
            sensitive = is_digest(level.t2) or is_digest(before)
            changes.append(FieldChange(path, before, level.t2, sensitive))
    return changes
