"""The learning rate limiter: ``python -m benchmarks.pacing_bench [--window 60] [--learn]``.

Three cases, each printed as a table for benchmarks/RESULTS.md, the client at its default
780/min and never told the account's limit:

- one 429 (``Retry-After: 1``) on request #2 of 40 client updates, no limit on the sandbox:
  what it costs (the apply's seconds);
- 200 client updates against a sandbox answering 15 % errors (500 or 503), 5 % 429s with
  ``Retry-After: 1`` and losing 10 % of the answers: does one apply converge, and how fast;
- a fleet of 20 accounts × 200 updates, each account's sandbox admitting 100 requests per
  window: the fleet's rate against the sum of the limits. ``--window S`` scales the window
  (client and sandboxes alike) from the API's 60 s to S seconds, so the run is 60/S times
  shorter; rates are then per scaled minute (one window), the client starting at 780 of them.

``--learn`` adds the full-minute rows: 300 updates against 100/min and 1,000 against 780/min.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks.apply_bench import ApplyResult, bench_apply
from benchmarks.fleet_bench import bench_fleet
from benchmarks.machine import compile_package
from reconciler.sandbox import Faults

CLIENT_LIMIT = 780
FLAKY = Faults(error_rate=0.15, burst429_rate=0.05, burst429_length=1, lost_rate=0.1, seed=5)


def _learn_row(server: int, result: ApplyResult) -> str:
    settled = f"{result.settled_per_minute:.0f}/min" if result.settled_per_minute else "-"
    return (
        f"| {server}/min | {CLIENT_LIMIT}/min | {result.calls:,} | {result.succeeded:,} "
        f"| {result.seconds:.1f} | {result.per_minute:,.0f} ({result.per_minute / server:.1%}) "
        f"| {result.busiest_minute:,} ({result.busiest_minute / server:.1%}) "
        f"| {result.too_many_requests} | {settled} |"
    )


def _fault_row(case: str, result: ApplyResult) -> str:
    settled = f"{result.settled_per_minute:.0f}/min" if result.settled_per_minute else "-"
    return (
        f"| {case} | {result.calls:,} | {result.succeeded:,} | {result.seconds:.1f} "
        f"| {result.too_many_requests} | {settled} | {result.replan_calls} |"
    )


def faults(scratch: Path) -> None:
    print(
        "| case | calls | succeeded | seconds | 429s | settled at | re-plan calls |\n"
        "|---|---:|---:|---:|---:|---:|---:|",
        flush=True,
    )
    second = {"faults": Faults(burst429_at=2, burst429_length=1)}
    result = bench_apply(scratch / "second", 40, CLIENT_LIMIT, server_limit=0, sandbox=second)
    print(_fault_row("a 429 (Retry-After: 1) on request #2", result), flush=True)
    result = bench_apply(
        scratch / "flaky", 200, CLIENT_LIMIT, server_limit=0, sandbox={"faults": FLAKY}
    )
    print(_fault_row("15 % errors, 5 % 429s (Retry-After: 1), 10 % lost", result), flush=True)


def fleet(accounts: int, clients: int, limit: int, window: float) -> None:
    # Scaled, a window is the client's minute too: it starts at 780 per window.
    result = bench_fleet("files", accounts, clients, limit, CLIENT_LIMIT, window)
    print(
        "| window | accounts × calls | limit per account | client starts at | apply s "
        "| calls/min | ÷ sum of limits | 429s |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {window:g} s | {result.accounts} × {clients} | {limit} per window "
        f"| {CLIENT_LIMIT} per window | {result.apply_seconds:.1f} | {result.per_minute:,.0f} "
        f"| {result.per_minute / result.limit_sum:.3f} | {result.too_many} |",
        flush=True,
    )


def learn(scratch: Path, low_calls: int, high_calls: int) -> None:
    print(
        "| account limit | client starts at | calls | succeeded | seconds | calls/min "
        "| busiest 60 s | 429s | settled at |\n|---|---|---:|---:|---:|---:|---:|---:|---:|",
        flush=True,
    )
    for server, calls in ((100, low_calls), (780, high_calls)):
        result = bench_apply(scratch / str(server), calls, CLIENT_LIMIT, server_limit=server)
        print(_learn_row(server, result), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pacing_bench", description=__doc__)
    parser.add_argument("--window", type=float, default=60.0, help="the fleet's window, seconds")
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--clients", type=int, default=200, help="updates per account")
    parser.add_argument("--limit", type=int, default=100, help="requests per window, per account")
    parser.add_argument("--learn", action="store_true", help="add the full-minute rows")
    parser.add_argument("--low-calls", type=int, default=300, help="updates against 100/min")
    parser.add_argument("--high-calls", type=int, default=1000, help="updates against 780/min")
    arguments = parser.parse_args(argv)
    compile_package()
    with tempfile.TemporaryDirectory(prefix="reconciler-pacing-") as scratch:
        faults(Path(scratch))
        fleet(arguments.accounts, arguments.clients, arguments.limit, arguments.window)
        if arguments.learn:
            learn(Path(scratch), arguments.low_calls, arguments.high_calls)


if __name__ == "__main__":
    main()
