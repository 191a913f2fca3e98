"""The learning rate limiter over full minutes: ``python -m benchmarks.pacing_bench``.

Applies client updates to the sandbox (in a process of its own) with the client at its default
780/min, first against an account held to 100/min (it must learn the lower limit from one burst
of 429s), then against one allowing 780/min (it must keep close to it, with no 429). Prints
one table row per case, for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks.apply_bench import ApplyResult, bench_apply

CLIENT_LIMIT = 780


def _row(server: int, result: ApplyResult) -> str:
    settled = f"{result.settled_per_minute:.0f}/min" if result.settled_per_minute else "-"
    return (
        f"| {server}/min | {CLIENT_LIMIT}/min | {result.calls:,} | {result.succeeded:,} "
        f"| {result.seconds:.1f} | {result.per_minute:,.0f} ({result.per_minute / server:.1%}) "
        f"| {result.busiest_minute:,} ({result.busiest_minute / server:.1%}) "
        f"| {result.too_many_requests} | {settled} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pacing_bench", description=__doc__)
    parser.add_argument("--low-calls", type=int, default=300, help="updates against 100/min")
    parser.add_argument("--high-calls", type=int, default=1000, help="updates against 780/min")
    arguments = parser.parse_args(argv)
    print(
        "| account limit | client starts at | calls | succeeded | seconds | calls/min "
        "| busiest 60 s | 429s | settled at |\n|---|---|---:|---:|---:|---:|---:|---:|---:|",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="reconciler-pacing-") as scratch:
        for server, calls in ((100, arguments.low_calls), (780, arguments.high_calls)):
            result = bench_apply(Path(scratch), calls, CLIENT_LIMIT, server_limit=server)
            print(_row(server, result), flush=True)


if __name__ == "__main__":
    main()
