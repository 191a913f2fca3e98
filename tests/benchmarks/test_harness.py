"""The benchmark harness still works end to end (correctness only: nothing here is timed)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from benchmarks.generate import changed_clients, write_scenario
from benchmarks.run import README, RESULTS, main
from reconciler.desired.document import load_desired
from reconciler.storage.state_file import StateStore


def test_generated_states_differ_in_exactly_the_chosen_clients(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, 40, 10)
    desired = load_desired(scenario.desired, {})
    known = StateStore(scenario.known).load()
    assert len(desired.state.clients) == 40
    assert len(scenario.changed) == len(changed_clients(40, 10)) == 4
    differing = {
        f"client:{client.id}"
        for client in desired.state.clients
        if known.resources[f"client:{client.id}"].applied["city"] != client.city
    }
    assert differing == scenario.changed


def test_a_tiny_run_writes_a_table_with_exact_plans_and_clean_applies(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    arguments = ["--sizes", "30", "--runs", "1", "--apply-clients", "12", "--rate-calls", "5"]
    arguments += ["--throughput-calls", "10", "--sandbox-writes", "20"]
    main([*arguments, "--work", str(tmp_path / "work"), "--out", str(out)])
    table = out.read_text(encoding="utf-8")
    lines = table.splitlines()
    header = next(line for line in lines if line.startswith("| clients |"))
    columns = [cell.strip() for cell in header.split("|")[1:-1]]
    for name in ("plan s", "peak MiB", "floor s", "floor peak MiB", "plan ÷ floor"):
        assert name in columns
    plan_rows = [line for line in lines if line.startswith("| 30 |")]
    assert [row.split("|")[2].strip() for row in plan_rows] == ["0 %", "1 %", "100 %"]
    for row, expected in zip(plan_rows, ["0 / 0", "0 / 0", "30 / 30"], strict=True):
        assert f"| {expected} (1.00, exact) |" in row
        cells = dict(zip(columns, (cell.strip() for cell in row.split("|")[1:-1]), strict=True))
        assert float(cells["floor s"]) > 0
        assert float(cells["floor peak MiB"]) > 0
        assert float(cells["plan ÷ floor"].removesuffix("×")) > 0
        # Paired in CPU time too, with the load average the pairs ran under.
        assert float(cells["plan CPU s"]) > 0 and float(cells["floor CPU s"]) > 0
        assert float(cells["plan ÷ floor CPU"].removesuffix("×")) > 0
        low, high = (float(load) for load in cells["load avg"].split("–"))
        assert 0 <= low <= high
    assert "| off | 12 | 12 |" in table
    assert "| 780/min | 5 | 5 |" in table
    assert table.count("| 0 | 0 calls |") == 2  # no 429s, and nothing left to do after
    assert "| trivial (200 `{}` at once) | off | 10 | 10 |" in table  # each one journaled
    for mode in ("| memory | 20 | 20 |", "| data (file holds every write) | 20 | 20 |"):
        assert mode in table
    assert "| data-sync (file holds every write) | 20 | 20 |" in table


def test_a_run_without_out_writes_a_temporary_file_and_leaves_the_committed_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    committed = RESULTS.read_bytes()
    readme = README.read_bytes()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    main(["--quick", "--sizes", "30", "--runs", "1", "--no-apply", "--work", str(tmp_path / "w")])
    written = list(tmp_path.glob("reconciler-bench-results-*.md"))
    assert len(written) == 1
    assert "| clients |" in written[0].read_text(encoding="utf-8")
    assert f"wrote {written[0]}" in capsys.readouterr().err
    assert RESULTS.read_bytes() == committed
    assert README.read_bytes() == readme
