"""``reconciler plan`` at scale: wall time, CPU time and peak memory of the command, its stages,
its calls; and the same for the floor script (``benchmarks/floor.py``), the plan in the fastest
honest Python.

Each run is a fresh process (``reconciler plan`` as CI would run it, or the floor script); its
CPU time (user + system) and peak resident memory come from ``wait4``, in a small parent of its
own (see ``_MEASURE``). The machine's load average (one minute) is read before each pair.
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
class Run:
    """One command run to completion: wall seconds, CPU seconds (user + system), peak MiB."""

    seconds: float
    cpu_seconds: float
    peak_mib: float


@dataclass(frozen=True)
class Ratios:
    """Plan ÷ floor, the median of each pair's ratio, in wall and in CPU time; and the load
    average (one minute) the pairs ran under, lowest and highest."""

    wall: float
    cpu: float
    load: tuple[float, float]


@dataclass(frozen=True)
class PlanResult:
    """Medians over the runs, what was planned, and one in-process run's stages."""

    seconds: float
    cpu_seconds: float
    peak_mib: float
    planned: int
    json_calls: int
    differing: int
    same_resources: bool
    deep_diffs: int
    stages: dict[str, float]


@dataclass(frozen=True)
class FloorResult:
    """The floor script's median wall time, CPU time and peak memory over the runs, its calls."""

    seconds: float
    cpu_seconds: float
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
    out.write(f"{seconds} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _run_timed(command: list[str], environ: dict[str, str]) -> tuple[Run, str]:
    """Run ``command`` to completion: its figures (from ``wait4``) and its stdout."""
    with tempfile.TemporaryDirectory(prefix="reconciler-bench-run-") as scratch:
        folder = Path(scratch)
        measured, stdout, stderr = folder / "measured", folder / "stdout", folder / "stderr"
        with stdout.open("wb") as out, stderr.open("wb") as err:
            wrapped = [sys.executable, "-c", _MEASURE, str(measured), *command]
            returncode = subprocess.run(wrapped, stdout=out, stderr=err, env=environ).returncode
        if returncode != 0:
            errors = stderr.read_text("utf-8", errors="replace")
            raise RuntimeError(f"{' '.join(command[1:4])} failed ({returncode}): {errors}")
        seconds, cpu, kib = measured.read_text("utf-8").split()
        return Run(float(seconds), float(cpu), int(kib) / 1024), stdout.read_text("utf-8")


def _plan_command(scenario: Scenario, *options: str) -> list[str]:
    command = [sys.executable, "-m", "reconciler", "plan", "-f", str(scenario.desired)]
    return [*command, "--state", str(scenario.known), *options]


def run_plan_command(scenario: Scenario) -> tuple[Run, int]:
    """One ``reconciler plan``: its figures and the number of calls it printed."""
    run, text = _run_timed(_plan_command(scenario), ENVIRON)
    found = _SUMMARY.search(text)
    planned = int(found.group(1)) if found else 0
    if found is None and "No changes." not in text:
        raise RuntimeError(f"no summary line in the plan's output: {text[-300:]!r}")
    return run, planned


def json_plan_calls(scenario: Scenario) -> int:
    """The ``calls`` of the summary that ``reconciler plan --format json`` prints."""
    _, text = _run_timed(_plan_command(scenario, "--format", "json"), ENVIRON)
    return int(json.loads(text)["summary"]["calls"])


def run_floor_command(scenario: Scenario) -> tuple[Run, int]:
    """One run of the floor script: its figures and the number of calls it printed."""
    command = [sys.executable, str(FLOOR), str(scenario.desired), str(scenario.known)]
    run, text = _run_timed(command, ENVIRON)
    return run, len(text.splitlines())


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


def bench_plan(scenario: Scenario, runs: int) -> tuple[PlanResult, FloorResult, Ratios]:
    """Run ``reconciler plan`` and the floor script ``runs`` times each on ``scenario``, in
    turn (floor, plan, floor, plan, ...): their medians, checks, and the median of each pair's
    ratio in wall and in CPU time, which holds when the machine's speed drifts between runs."""
    plans: list[Run] = []
    floors: list[Run] = []
    counts, floor_counts, loads = set(), set(), []
    for _ in range(runs):
        loads.append(os.getloadavg()[0])
        floor_run, floor_calls = run_floor_command(scenario)
        plan_run, planned = run_plan_command(scenario)
        floors.append(floor_run)
        floor_counts.add(floor_calls)
        plans.append(plan_run)
        counts.add(planned)
    if len(counts) != 1 or len(floor_counts) != 1:
        raise RuntimeError(f"runs planned different numbers of calls: {counts} {floor_counts}")
    resources, deep_diffs, stages = plan_in_process(scenario)
    result = PlanResult(
        seconds=statistics.median(run.seconds for run in plans),
        cpu_seconds=statistics.median(run.cpu_seconds for run in plans),
        peak_mib=statistics.median(run.peak_mib for run in plans),
        planned=counts.pop(),
        json_calls=json_plan_calls(scenario),
        differing=len(scenario.changed),
        same_resources=resources == set(scenario.changed),
        deep_diffs=deep_diffs,
        stages=stages,
    )
    floor = FloorResult(
        statistics.median(run.seconds for run in floors),
        statistics.median(run.cpu_seconds for run in floors),
        statistics.median(run.peak_mib for run in floors),
        floor_counts.pop(),
    )
    ratios = Ratios(
        wall=statistics.median(p.seconds / f.seconds for p, f in zip(plans, floors, strict=True)),
        cpu=statistics.median(
            p.cpu_seconds / f.cpu_seconds for p, f in zip(plans, floors, strict=True)
        ),
        load=(min(loads), max(loads)),
    )
    return result, floor, ratios
