"""``reconciler plan`` at scale: wall time and peak memory of the command, its stages, its calls;
and the same for the floor script (``benchmarks/floor.py``), the plan in the plainest fast Python.

Each run is a fresh process (``reconciler plan`` as CI would run it, or the floor script); its
peak resident memory comes from ``wait4``, in a small parent of its own (see ``_MEASURE``).
One ``plan --format json`` gives the calls to check the floor's against; one more run in this
process times the stages and counts the deep diffs.
"""

from __future__ import annotations

import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.generate import Scenario

DIGEST_KEY = "bench-digest-key"
ENVIRON = {**os.environ, "RECONCILER_DIGEST_KEY": DIGEST_KEY, "NO_COLOR": "1"}
FLOOR = Path(__file__).with_name("floor.py")
_SUMMARY = re.compile(r"^Plan: (\d+) calls? ", re.MULTILINE)


@dataclass(frozen=True)
class PlanResult:
    """Medians over the runs, what was planned, and one in-process run's stages."""

    seconds: float
    peak_mib: float
    planned: int
    json_calls: int
    differing: int
    same_resources: bool
    deep_diffs: int
    stages: dict[str, float]


@dataclass(frozen=True)
class FloorResult:
    """The floor script's median wall time and peak memory over the runs, and its calls."""

    seconds: float
    peak_mib: float
    calls: int


# A child's peak resident set (``ru_maxrss``) starts from the peak of the process it was forked
# from: spawned from this harness, which has planned 100k clients in process, every child would
# report at least the harness's own peak. So each command is started by a fresh, small Python
# process that times it and reports its ``wait4`` figures in a file.
_MEASURE = """\
import os, subprocess, sys, time
started = time.perf_counter()
process = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(process.pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    out.write(f"{seconds} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _run_timed(command: list[str], environ: dict[str, str]) -> tuple[float, float, str]:
    """Run ``command`` to completion: wall seconds, peak MiB (from ``wait4``), its stdout."""
    with tempfile.TemporaryDirectory(prefix="reconciler-bench-run-") as scratch:
        folder = Path(scratch)
        measured, stdout, stderr = folder / "measured", folder / "stdout", folder / "stderr"
        with stdout.open("wb") as out, stderr.open("wb") as err:
            wrapped = [sys.executable, "-c", _MEASURE, str(measured), *command]
            returncode = subprocess.run(wrapped, stdout=out, stderr=err, env=environ).returncode
        if returncode != 0:
            errors = stderr.read_text("utf-8", errors="replace")
            raise RuntimeError(f"{' '.join(command[1:4])} failed ({returncode}): {errors}")
        seconds, kib = measured.read_text("utf-8").split()
        return float(seconds), int(kib) / 1024, stdout.read_text("utf-8")


def _plan_command(scenario: Scenario, *options: str) -> list[str]:
    command = [sys.executable, "-m", "reconciler", "plan", "-f", str(scenario.desired)]
    return [*command, "--state", str(scenario.known), *options]


def run_plan_command(scenario: Scenario) -> tuple[float, float, int]:
    """One ``reconciler plan``: wall seconds, peak MiB, and the number of calls it printed."""
    seconds, peak, text = _run_timed(_plan_command(scenario), ENVIRON)
    found = _SUMMARY.search(text)
    planned = int(found.group(1)) if found else 0
    if found is None and "No changes." not in text:
        raise RuntimeError(f"no summary line in the plan's output: {text[-300:]!r}")
    return seconds, peak, planned


def json_plan_calls(scenario: Scenario) -> int:
    """The ``calls`` of the summary that ``reconciler plan --format json`` prints."""
    _, _, text = _run_timed(_plan_command(scenario, "--format", "json"), ENVIRON)
    return int(json.loads(text)["summary"]["calls"])


def run_floor_command(scenario: Scenario) -> tuple[float, float, int]:
    """One run of the floor script: wall seconds, peak MiB, and the number of calls it printed."""
    command = [sys.executable, str(FLOOR), str(scenario.desired), str(scenario.known)]
    seconds, peak, text = _run_timed(command, ENVIRON)
    return seconds, peak, len(text.splitlines())


def plan_in_process(scenario: Scenario) -> tuple[set[str], int, dict[str, float]]:
    """The planned resources, how many field-by-field diffs ran, and seconds per stage."""
    from rich.console import Console

    from reconciler.cli.printing import print_plan
    from reconciler.core import diff
    from reconciler.core.plan import build_plan
    from reconciler.core.secrets import DigestKey
    from reconciler.desired.document import load_desired
    from reconciler.storage.state_file import StateStore
    from reconciler.workflows.collector import collector_paused

    compare = diff.field_changes
    calls = 0

    def counted(known: Mapping[str, Any], declared: Mapping[str, Any]) -> list[diff.FieldChange]:
        nonlocal calls
        calls += 1
        return compare(known, declared)

    stages: dict[str, float] = {}
    diff.field_changes = counted
    try:
        with collector_paused():
            started = time.perf_counter()
            desired = load_desired(scenario.desired, {})
            stages["load desired"] = time.perf_counter() - started
            started = time.perf_counter()
            known = StateStore(scenario.known).load()
            stages["load known"] = time.perf_counter() - started
            started = time.perf_counter()
            plan = build_plan(desired, known, DigestKey(DIGEST_KEY))
            stages["build plan"] = time.perf_counter() - started
            started = time.perf_counter()
            # As the CLI prints it to a file or pipe: no colour.
            out = Console(file=io.StringIO(), highlight=False, soft_wrap=True)
            print_plan(out, plan, show_requests=False)
            stages["render"] = time.perf_counter() - started
    finally:
        diff.field_changes = compare
    return {call.resource for call in plan.calls}, calls, stages


def bench_plan(scenario: Scenario, runs: int) -> tuple[PlanResult, FloorResult, float]:
    """Run ``reconciler plan`` and the floor script ``runs`` times each on ``scenario``, in
    turn (floor, plan, floor, plan, ...): their medians, checks, and the median of each pair's
    ratio, which holds when the machine's speed drifts between runs."""
    seconds, peaks, counts = [], [], set()
    floor_seconds, floor_peaks, floor_counts, ratios = [], [], set(), []
    for _ in range(runs):
        floor_wall, floor_peak, floor_calls = run_floor_command(scenario)
        wall, peak, planned = run_plan_command(scenario)
        floor_seconds.append(floor_wall)
        floor_peaks.append(floor_peak)
        floor_counts.add(floor_calls)
        seconds.append(wall)
        peaks.append(peak)
        counts.add(planned)
        ratios.append(wall / floor_wall)
    if len(counts) != 1 or len(floor_counts) != 1:
        raise RuntimeError(f"runs planned different numbers of calls: {counts} {floor_counts}")
    resources, deep_diffs, stages = plan_in_process(scenario)
    result = PlanResult(
        seconds=statistics.median(seconds),
        peak_mib=statistics.median(peaks),
        planned=counts.pop(),
        json_calls=json_plan_calls(scenario),
        differing=len(scenario.changed),
        same_resources=resources == set(scenario.changed),
        deep_diffs=deep_diffs,
        stages=stages,
    )
    floor = FloorResult(
        statistics.median(floor_seconds), statistics.median(floor_peaks), floor_counts.pop()
    )
    return result, floor, statistics.median(ratios)
