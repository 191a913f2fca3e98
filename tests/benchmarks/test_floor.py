"""The floor script plans the same calls as reconciler (on inputs it accepts), so that
comparing their times compares like with like."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.floor import plan_lines
from benchmarks.generate import write_scenario
from reconciler.core.known import KnownState, Record
from reconciler.core.plan import build_plan
from reconciler.core.secrets import DigestKey
from reconciler.desired.document import load_desired
from reconciler.storage.state_file import StateStore

KEY = "floor-test-key"
DESIRED = """\
account:
  id: 7
  organization_name: Empresa, Lda
  password: segredo-1
  credentials:
    username: 123456789/1
    password: segredo12
sequences:
  default: 11
  register: [11, 12]
clients:
  - id: 1
    code: A
    name: Alfa
    phone: 0213456789
    send_options: 2
    preferred_contact:
      name: Ana
      phone: 912345678
  - id: 2
    code: "B"
    name: Beta
    fiscal_id: 501234560
    website:
"""


def reconciler_lines(desired: Path, known: Path, key: str) -> list[str]:
    plan = build_plan(load_desired(desired, {}), StateStore(known).load(), DigestKey(key))
    return [f"{call.action} {call.target_id}" for call in plan.calls]


def record_everything(desired: Path, known: Path) -> None:
    """The known state an apply of ``desired`` (from nothing) would leave, digests included."""
    key = DigestKey(KEY)
    plan = build_plan(load_desired(desired, {}), KnownState.new(), key)
    resources = {
        call.resource: Record(call.record, "2025-01-01T00:00:00+00:00") for call in plan.calls
    }
    state = KnownState(lineage="floor-test", serial=1, key_id=key.key_id, resources=resources)
    StateStore(known).save(state)


def test_the_floor_plans_the_generated_scenarios_as_reconciler_does(tmp_path: Path) -> None:
    for percent in (0, 10, 100):
        scenario = write_scenario(tmp_path, 40, percent)
        floor = plan_lines(scenario.desired, scenario.known)
        assert floor == reconciler_lines(scenario.desired, scenario.known, KEY)
        assert len(floor) == len(scenario.changed)


@pytest.mark.parametrize(
    ("old", "new", "key", "expected"),
    [
        ("", "", KEY, []),
        ("password: segredo-1", "password: segredo-2", KEY, ["update account 7"]),
        ("password: segredo12", "password: segredo13", KEY, ["update account 7"]),
        ("", "", "another-key", ["update account 7"]),
        ("Empresa, Lda", "Empresa, SA", KEY, ["update account 7"]),
        ("phone: 0213456789", "phone: 213456789", KEY, ["update client 1"]),
        ("phone: 912345678", "phone: 912345679", KEY, ["update client 1"]),
        ("send_options: 2", 'send_options: "2"', KEY, []),
        ("    fiscal_id: 501234560\n", "", KEY, []),
        ("website:", "website: https://beta.example.pt", KEY, ["update client 2"]),
        ("[11, 12]", "[11, 12, 13]", KEY, ["register sequence 13"]),
        ("default: 11", "default: 12", KEY, ["set default sequence 12"]),
        ("", "  - id: 3\n    code: C\n    name: Gama\n", KEY, ["update client 3"]),
    ],
)
def test_the_floor_plans_each_change_as_reconciler_does(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    old: str,
    new: str,
    key: str,
    expected: list[str],
) -> None:
    desired, known = tmp_path / "desired.yaml", tmp_path / "known.state.json"
    desired.write_text(DESIRED, encoding="utf-8")
    record_everything(desired, known)
    text = DESIRED.replace(old, new) if old else DESIRED + new
    desired.write_text(text, encoding="utf-8")
    monkeypatch.setenv("RECONCILER_DIGEST_KEY", key)
    assert reconciler_lines(desired, known, key) == expected
    assert plan_lines(desired, known) == expected
