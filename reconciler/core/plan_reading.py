"""A plan rebuilt from its document (``core.plan_document``), to render a saved plan again.

The rebuilt plan is for showing only: secrets are ``(sensitive)`` as the document holds them,
and nothing is recorded from it. A document that does not have the expected shape is refused
with ``PlanFileError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.core.diff import FieldChange
from reconciler.core.kinds import registry
from reconciler.core.plan import Call, InSync, Plan, Reason, Source
from reconciler.errors import PlanFileError


def plan_from_document(document: Mapping[str, Any], *, where: str) -> Plan:
    """The plan a document describes; ``where`` names the file in errors."""
    try:
        known = document["known_state"]
        calls = tuple(_call(call, index) for index, call in enumerate(_list(document["calls"])))
        in_sync = tuple(
            InSync(str(item["resource"]), str(item["why"])) for item in _list(document["in_sync"])
        )
        unmanaged = tuple(str(item["resource"]) for item in _list(document["unmanaged"]))
        return Plan(
            calls=calls,
            in_sync=in_sync,
            lineage=str(known["lineage"]),
            serial=int(known["serial"]),
            key_id="",
            unmanaged=unmanaged,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanFileError(f"{where}: the saved plan's calls are not readable ({exc})") from None


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return value


def _call(data: Mapping[str, Any], index: int) -> Call:
    action = registry.action_named(data["action"])
    body = data["body"]
    if body is not None and not isinstance(body, Mapping):
        raise TypeError("a call's body must be a mapping")
    return Call(
        sort_key=(registry.phase(action), index),
        action=action,
        resource=str(data["resource"]),
        target_id=int(data["target_id"]),
        method=str(data["method"]),
        path=str(data["path"]),
        body=body,
        changes=tuple(_change(change) for change in _list(data["changes"])),
        reason=Reason(data["reason"]),
        depends_on=tuple(str(d) for d in _list(data["depends_on"])),
        source=_source(data.get("source")),
    )


def _source(data: Any) -> Source | None:
    if data is None:
        return None
    return Source(str(data["file"]), int(data["line"]), int(data["column"]))


def _change(data: Mapping[str, Any]) -> FieldChange:
    return FieldChange(
        str(data["path"]), data["before"], data["after"], sensitive=bool(data["sensitive"])
    )
