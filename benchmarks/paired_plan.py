"""``reconciler plan`` of two installs, paired: CPU seconds of fresh processes, run in turn.

``python -m benchmarks.paired_plan --before PATH/TO/OTHER/bin/reconciler [--clients 10000]
[--changed 1] [--pairs 5]`` writes the scenario (``benchmarks.generate``) once, then runs the
other install's ``reconciler plan`` and this one's alternately on it; each run's CPU time (user
+ system) is read from ``getrusage(RUSAGE_CHILDREN)`` around it. A machine whose speed drifts
moves both sides of a pair alike, so the figure to trust is the median of the pairs' ratios.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from benchmarks.generate import write_scenario

ENVIRON = {**os.environ, "RECONCILER_DIGEST_KEY": "bench-digest-key", "NO_COLOR": "1"}


def cpu_seconds(command: list[str]) -> float:
    """The CPU time (user + system) of one run of ``command`` as a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, env=ENVIRON, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.paired_plan")
    parser.add_argument("--before", required=True, help="the other install's reconciler")
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--changed", type=float, default=1.0, help="percent of clients changed")
    parser.add_argument("--pairs", type=int, default=5)
    args = parser.parse_args()
    now = shutil.which("reconciler") or "reconciler"
    with tempfile.TemporaryDirectory() as folder:
        scenario = write_scenario(Path(folder), args.clients, args.changed)
        plan = ["plan", "-f", str(scenario.desired), "--state", str(scenario.known)]
        before, after = [], []
        for _ in range(args.pairs):
            before.append(cpu_seconds([args.before, *plan]))
            after.append(cpu_seconds([now, *plan]))
    ratios = [a / b for a, b in zip(after, before, strict=True)]
    print(
        f"{args.clients:,} clients, {args.changed:g} % changed: before "
        f"{statistics.median(before):.3f} CPU s, now {statistics.median(after):.3f} CPU s, "
        f"now ÷ before {statistics.median(ratios):.2f} (median of {args.pairs} pairs)"
    )


if __name__ == "__main__":
    main()
