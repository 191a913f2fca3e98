"""Checks made at plan time against the known state, reported like validation problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.core.known import KnownState, Record
from reconciler.core.plan import build_plan
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import load_desired
from reconciler.errors import ValidationFailed

KEY = DigestKey("k")


def _known_fiscal_id(value: str) -> KnownState:
    record = Record(applied={"fiscal_id": value}, applied_at="2026-01-01T00:00:00Z")
    return KnownState(lineage="l", serial=1, resources={"account:12345": record})


def test_fiscal_id_change_on_a_known_account_is_refused_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "state.yaml"
    path.write_text('account:\n  id: 12345\n  city: Lisboa\n  fiscal_id: "501964843"\n')
    desired = load_desired(path, {})
    with pytest.raises(ValidationFailed) as caught:
        build_plan(desired, _known_fiscal_id("999999990"), KEY)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.column) == (str(path), 4, 14)
    assert problem.path == "account.fiscal_id"
    assert problem.message.startswith("Vat Number can't be changed")


def test_same_fiscal_id_or_none_recorded_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "state.yaml"
    path.write_text('account:\n  id: 12345\n  fiscal_id: "999999990"\n')
    desired = load_desired(path, {})
    assert build_plan(desired, _known_fiscal_id("999999990"), KEY).is_empty
    assert len(build_plan(desired, KnownState.new(), KEY).calls) == 1
