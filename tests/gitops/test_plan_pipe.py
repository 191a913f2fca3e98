"""A big plan reaches a pipe as it is printed, and a reader that stops early (``plan | head``)
ends the printing, not the run: the command exits with its own code, without a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from reconciler.core.known import KnownState, Record
from reconciler.storage.state_file import StateStore

CLIENTS = 1_500
"""Enough changed clients for a plan far longer than a pipe holds (64 KiB)."""


def _files(folder: Path) -> tuple[Path, Path]:
    desired, known = folder / "state.yaml", folder / "known.state.json"
    lines = ["clients:\n"]
    for i in range(CLIENTS):
        lines.append(f"  - id: {1000 + i}\n    code: C{i}\n    name: Cliente {i}\n")
        lines.append("    city: Lisboa\n")
    desired.write_text("".join(lines), "utf-8")
    records = {
        f"client:{1000 + i}": Record(
            {"code": f"C{i}", "name": f"Cliente {i}", "city": "Porto"}, "2026-01-01"
        )
        for i in range(CLIENTS)
    }
    lineage = "00000000-0000-4000-8000-000000000000"
    StateStore(known).save(KnownState(lineage, serial=1, resources=records))
    return desired, known


def test_a_reader_that_stops_early_ends_the_printing_not_the_run(tmp_path: Path) -> None:
    desired, known = _files(tmp_path)
    environ = {**os.environ, "RECONCILER_DIGEST_KEY": "pipe-key", "NO_COLOR": "1"}
    command = [sys.executable, "-m", "reconciler", "plan", "-f", str(desired)]
    child = subprocess.Popen(
        [*command, "--state", str(known), "--detailed-exitcode"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environ,
        cwd=tmp_path,
    )
    assert child.stdout is not None and child.stderr is not None
    first = child.stdout.readline().decode("utf-8")
    child.stdout.close()  # the reader has what it wanted: `plan | head -1`
    errors = child.stderr.read().decode("utf-8")
    assert child.wait() == 2, errors  # changes are pending: the run's own code
    assert first.startswith("  ~ update client 1000  (changed since last apply)")
    assert "Traceback" not in errors and "Error" not in errors
    assert all(line.startswith("warning: ") for line in errors.splitlines()), errors
