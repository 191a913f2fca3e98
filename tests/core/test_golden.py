"""Golden cases: (known state, desired file) in → calls out, one data file per case.

Each file under ``golden/`` holds ``known`` (resource key → applied fields; a secret is written
as ``{digest_of: plain text}``), ``desired`` (the YAML text), the expected ``calls`` in order
(``METHOD path``), and optionally the expected ``bodies`` by path and ``depends_on`` by path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from ruamel.yaml import YAML

from reconciler.core.known import KnownState, Record
from reconciler.core.plan import build_plan
from reconciler.core.secrets import DigestKey, redacted
from reconciler.desired.document import load_desired

GOLDEN = Path(__file__).parent / "golden"
KEY = DigestKey("golden-digest-key")
CASES = sorted(GOLDEN.glob("*.yaml"))


def _known_value(value: Any, key: DigestKey) -> Any:
    if isinstance(value, dict) and set(value) == {"digest_of"}:
        return key.digest(SecretStr(value["digest_of"]))
    if isinstance(value, dict):
        return {k: _known_value(v, key) for k, v in value.items()}
    return value


def _known(case: dict[str, Any]) -> KnownState:
    key = DigestKey(case.get("known_digest_key", "golden-digest-key"))
    resources = {
        name: Record(applied=_known_value(dict(applied), key), applied_at="2026-01-01T00:00:00Z")
        for name, applied in (case.get("known") or {}).items()
    }
    return KnownState(
        lineage="golden", serial=len(resources), key_id=key.key_id, resources=resources
    )


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_golden_case(case_file: Path, tmp_path: Path) -> None:
    case = YAML(typ="safe").load(case_file.read_text("utf-8"))
    desired_file = tmp_path / "state.yaml"
    desired_file.write_text(case["desired"], "utf-8")
    desired = load_desired(desired_file, {"AT_PASSWORD": "golden-pass", **case.get("env", {})})
    plan = build_plan(desired, _known(case), KEY)
    assert [f"{c.method} {c.path}" for c in plan.calls] == case["calls"]
    by_path = {c.path: c for c in plan.calls}
    for path, body in (case.get("bodies") or {}).items():
        assert redacted(by_path[path].body) == body
    for path, dependencies in (case.get("depends_on") or {}).items():
        assert list(by_path[path].depends_on) == dependencies


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 8
