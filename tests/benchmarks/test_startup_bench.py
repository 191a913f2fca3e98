"""The start-up benchmark runs end to end and keeps the rest of the results file (correctness
only: nothing here is timed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks.startup import END, START, libraries, main, write_results


def test_a_tiny_run_against_the_current_revision_writes_a_row(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["--runs", "1", "--only", "validate", "--before", "HEAD"])
    table = capsys.readouterr().out
    header = "| command | CPU s before | CPU s now | now ÷ before | not imported now |"
    assert header in table
    row = next(line for line in table.splitlines() if line.startswith("| `validate` |"))
    cells = [cell.strip() for cell in row.split("|")[1:-1]]
    assert float(cells[1]) > 0 and float(cells[2]) > 0 and float(cells[3]) > 0
    floor = re.search(
        r"Libraries alone: the (\d+) modules `validate` loads .* take ([\d.]+) s of CPU "
        r"against the command's ([\d.]+) s \(medians of 1 runs",
        table,
    )
    assert floor is not None, table
    assert int(floor[1]) > 50 and float(floor[2]) > 0 and float(floor[3]) > 0


def test_the_libraries_are_every_module_but_the_package_and_the_script() -> None:
    loaded = ["__main__", "click", "pydantic.main", "reconciler", "reconciler.cli", "reconcile"]
    assert libraries(loaded) == ["click", "pydantic.main", "reconcile"]


def test_the_section_is_replaced_and_the_rest_kept(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("before\n\n<!-- fleet-bench -->\nfleet\n", "utf-8")
    write_results("first\n", results)
    write_results("second\n", results)
    text = results.read_text("utf-8")
    assert text.count(START) == text.count(END) == 1
    assert "second" in text and "first" not in text
    assert text.startswith("before\n\n<!-- fleet-bench -->\nfleet\n")
