"""Plans built from desired-state documents, and a small plan made hostile, for the rendering
and escaping tests."""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from reconciler.core.diff import FieldChange
from reconciler.core.known import KnownState
from reconciler.core.plan import Plan, Source, build_plan
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import load_desired

API_KEY = "property-key"
KEY = DigestKey(API_KEY)


def plan_of(folder: Path, document: dict[str, Any], known: KnownState) -> Plan:
    """The plan of ``document``, written to ``folder/state.yaml``, against ``known``."""
    path = folder / "state.yaml"
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")  # JSON is YAML
    desired = load_desired(path, {"AT_PASSWORD": "property-pass"})
    return build_plan(desired, known, KEY)


with tempfile.TemporaryDirectory() as _folder:
    BASE = plan_of(
        Path(_folder),
        {
            "account": {"id": 1, "city": "Lisboa"},
            "sequences": {"default": 146090, "register": [146090]},
            "clients": [{"id": 7, "code": "P0", "name": "A"}],
        },
        KnownState.new(),
    )
"""A small plan: an account, a registration, the default sequence and a client."""


def hostile_plan(file: str, value: str, resource: str) -> Plan:
    """The base plan with every call declared in ``file``, changing a field to ``value`` after
    ``resource``, which is also no longer managed."""
    calls = tuple(
        replace(
            call,
            source=Source(file, 3, 5),
            changes=(*call.changes, FieldChange(value, value, {value: [value]})),
            depends_on=(resource,),
            body={value: value},
        )
        for call in BASE.calls
    )
    return replace(BASE, calls=calls, unmanaged=(resource,))
