"""Run the benchmarks and write the results table: ``python -m benchmarks.run [--quick]``.

The table goes to a temporary file (its path printed at the end) unless ``--out`` names one;
``--update-readme`` writes ``benchmarks/RESULTS.md`` and the README's copy.

Generates desired states of 1k, 10k and 100k clients with known states 0 %, 1 % and 100 %
changed; times ``reconciler plan`` on each (median of several runs) against the floor script
(``benchmarks/floor.py``: the same comparison in plain Python, its calls checked equal to the
plan's) and the raw parse floor; then applies client updates to the local sandbox without and
with a rate limit, measures apply's own ceiling against a trivial server
(``benchmarks/apply_throughput.py``) and the writes per second the sandbox answers
(``benchmarks/sandbox_writes.py``).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.apply_bench import ApplyResult, bench_apply
from benchmarks.apply_throughput import Throughput, bench_throughput, trivial_server
from benchmarks.generate import write_scenario
from benchmarks.machine import compile_package, describe
from benchmarks.parse_floor import parse_floor
from benchmarks.plan_bench import FloorResult, PlanResult, Ratios, bench_plan
from benchmarks.sandbox_writes import MODES, WriteResult, bench_writes

HERE = Path(__file__).parent
README = HERE.parent / "README.md"
RESULTS = HERE / "RESULTS.md"
PERCENTS = (0.0, 1.0, 100.0)
LARGE = 250_000
"""Clients of the ``--large`` row: the most a desired-state file holds (``MAX_FILE_BYTES``)."""
START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"
FLEET_MARK = "<!-- fleet-bench -->"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1k and 10k only, short windows")
    parser.add_argument("--sizes", type=int, nargs="*", help="clients per desired state")
    parser.add_argument(
        "--large", action="store_true", help=f"add {LARGE:,} clients to the sizes planned"
    )
    parser.add_argument("--runs", type=int, help="runs per plan measurement (median)")
    parser.add_argument("--apply-clients", type=int, default=1000, help="updates, no limit")
    parser.add_argument("--rate-limit", type=int, default=780, help="requests per minute")
    parser.add_argument("--rate-calls", type=int, help="updates under the limit [1000; quick 200]")
    parser.add_argument(
        "--throughput-calls", type=int, help="updates to the trivial server [3000; quick 1000]"
    )
    parser.add_argument(
        "--sandbox-writes", type=int, help="PUTs per sandbox mode [3000; quick 1000]"
    )
    parser.add_argument("--no-apply", action="store_true", help="plan benchmarks only")
    parser.add_argument("--work", type=Path, help="where generated files go [a temp folder]")
    parser.add_argument(
        "--out",
        type=Path,
        help="results file [benchmarks/RESULTS.md with --update-readme, else a temporary file]",
    )
    parser.add_argument(
        "--update-readme",
        action="store_true",
        help="write benchmarks/RESULTS.md (unless --out) and copy the table to the README",
    )
    return parser.parse_args(argv)


def _plan_rows(folder: Path, sizes: list[int], runs: int) -> list[str]:
    rows = [
        "| clients | changed | YAML MiB | plan s | plan CPU s | peak MiB | floor s "
        "| floor CPU s | floor peak MiB | plan ÷ floor | plan ÷ floor CPU | load avg "
        "| calls planned / differing | field diffs | parse floor s "
        "| plan ÷ parse | stages: desired · known · plan · render s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---|---:|---|",
    ]
    for clients in sizes:
        for percent in PERCENTS:
            scenario = write_scenario(folder, clients, percent)
            pairs = runs if clients < 100_000 else max(1, runs - 2 - 2 * (clients > 100_000))
            result, floor, ratios = bench_plan(scenario, pairs)
            _check_calls(scenario.known, result, floor)
            parser, parse = parse_floor(scenario.desired, runs)
            rows.append(
                _plan_row(clients, percent, scenario.desired, result, floor, ratios, parser, parse)
            )
            print(rows[-1], flush=True)
    return rows


def _check_calls(known: Path, result: PlanResult, floor: FloorResult) -> None:
    """The floor is only a floor if it plans as many calls as reconciler does."""
    if not result.planned == result.json_calls == floor.calls:
        raise RuntimeError(
            f"{known.name}: plan printed {result.planned} calls, plan --format json "
            f"{result.json_calls}, the floor script {floor.calls}"
        )


def _plan_row(
    clients: int,
    percent: float,
    desired: Path,
    result: PlanResult,
    floor: FloorResult,
    ratios: Ratios,
    parser: str,
    parse: float,
) -> str:
    ratio = result.planned / result.differing if result.differing else 1.0 * (not result.planned)
    exact = "exact" if result.same_resources and result.planned == result.differing else "WRONG"
    stages = " · ".join(f"{seconds:.2f}" for seconds in result.stages.values())
    return (
        f"| {clients:,} | {percent:g} % | {desired.stat().st_size / 2**20:.1f} "
        f"| {result.seconds:.2f} | {result.cpu_seconds:.2f} | {result.peak_mib:.0f} "
        f"| {floor.seconds:.2f} | {floor.cpu_seconds:.2f} | {floor.peak_mib:.0f} "
        f"| {ratios.wall:.1f}× | {ratios.cpu:.1f}× | {ratios.load[0]:.1f}–{ratios.load[1]:.1f} "
        f"| {result.planned:,} / {result.differing:,} ({ratio:.2f}, {exact}) "
        f"| {result.deep_diffs:,} | {parse:.3f} ({parser}) | {result.seconds / parse:.0f}× "
        f"| {stages} |"
    )


def _apply_rows(
    folder: Path, clients: int, rate_limit: int, rate_calls: int, throughput_calls: int
) -> list[str]:
    rows = [
        "| server | rate limit | calls | succeeded | seconds | calls/s | calls/min "
        "| busiest 60 s | 429s | re-plan |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for limit, count in ((0, clients), (rate_limit, rate_calls)):
        result = bench_apply(folder, count, limit)
        rows.append(_apply_row(limit, result))
        print(rows[-1], flush=True)
    with trivial_server() as base_url:
        rows.append(_throughput_row(bench_throughput(folder, base_url, throughput_calls, 8)))
    print(rows[-1], flush=True)
    return rows


def _apply_row(limit: int, result: ApplyResult) -> str:
    shown = f"{limit}/min" if limit else "off"
    share = f" ({result.per_minute / limit:.1%})" if limit else ""
    return (
        f"| sandbox | {shown} | {result.calls:,} | {result.succeeded:,} | {result.seconds:.2f} "
        f"| {result.per_minute / 60:,.0f} | {result.per_minute:,.0f}{share} "
        f"| {result.busiest_minute:,} | {result.too_many_requests} | {result.replan_calls} calls |"
    )


def _throughput_row(result: Throughput) -> str:
    if not result.succeeded == result.calls == result.journal_lines:
        raise RuntimeError(f"not every call succeeded and was journaled: {result}")
    return (
        f"| trivial (200 `{{}}` at once) | off | {result.calls:,} | {result.succeeded:,} "
        f"| {result.seconds:.2f} | {result.per_second:,.0f} "
        f"({result.per_cpu_second:,.0f} per CPU s) | {result.per_second * 60:,.0f} | – | – | – |"
    )


def _sandbox_rows(requests: int) -> list[str]:
    rows = [
        "| mode | writes | answered 200 | seconds | writes/s | sandbox CPU ms/write |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for mode in MODES:
        rows.append(_sandbox_row(bench_writes(mode, 1000, requests, 8), min(requests, 50)))
        print(rows[-1], flush=True)
    return rows


def _sandbox_row(result: WriteResult, warm_up: int) -> str:
    cpu_ms = 1000 * result.cpu_seconds / (result.requests + warm_up)
    holds = {None: "", True: " (file holds every write)", False: " (file MISSES writes)"}
    return (
        f"| {result.mode}{holds[result.file_holds_every_write]} | {result.requests:,} "
        f"| {result.succeeded:,} | {result.seconds:.2f} | {result.per_second:,.0f} "
        f"| {cpu_ms:.2f} |"
    )


def main(argv: list[str] | None = None) -> None:
    arguments = _arguments(argv)
    sizes = arguments.sizes or ([1_000, 10_000] if arguments.quick else [1_000, 10_000, 100_000])
    if arguments.large and LARGE not in sizes:
        sizes = [*sizes, LARGE]
    runs = arguments.runs or (3 if arguments.quick else 5)
    rate_calls = arguments.rate_calls or (200 if arguments.quick else 1000)
    throughput_calls = arguments.throughput_calls or (1000 if arguments.quick else 3000)
    writes = arguments.sandbox_writes or (1000 if arguments.quick else 3000)
    started = time.perf_counter()
    compile_package()
    with tempfile.TemporaryDirectory(prefix="reconciler-bench-") as scratch:
        folder = arguments.work or Path(scratch)
        print(f"machine: {describe()}\nfiles in {folder}", flush=True)
        plan_rows = _plan_rows(folder, sizes, runs)
        apply_rows, sandbox_rows = [], []
        if not arguments.no_apply:
            apply_rows = _apply_rows(
                folder, arguments.apply_clients, arguments.rate_limit, rate_calls, throughput_calls
            )
            sandbox_rows = _sandbox_rows(writes)
    table = _table(describe(), runs, plan_rows, apply_rows, sandbox_rows)
    out = _results_file(arguments.out, update_readme=arguments.update_readme)
    out.write_text(table + _kept_sections(out), encoding="utf-8")
    if arguments.update_readme:
        _update_readme(table)
    print(f"\nwrote {out} in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def _results_file(out: Path | None, *, update_readme: bool) -> Path:
    """Where the table goes: ``--out``; the committed ``RESULTS.md`` only with
    ``--update-readme``; else a new temporary file, so a trial run never rewrites the record."""
    if out is not None:
        return out
    if update_readme:
        return RESULTS
    handle, name = tempfile.mkstemp(prefix="reconciler-bench-results-", suffix=".md")
    os.close(handle)
    return Path(name)


def _kept_sections(results: Path) -> str:
    """What other benchmarks wrote at the end of the results file (from ``FLEET_MARK`` on,
    ``benchmarks/fleet_bench.py``'s), kept as it is."""
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    at = text.find(FLEET_MARK)
    return "\n" + text[at:] if at >= 0 else ""


def _table(
    machine: str,
    runs: int,
    plan_rows: list[str],
    apply_rows: list[str],
    sandbox_rows: list[str],
) -> str:
    parts = [
        f"Measured on {machine}.",
        "",
        f"`reconciler plan` as a fresh process, median of {runs} runs (2 fewer at 100k, 4 fewer "
        "above); CPU time is user + system and peak memory the process's maximum resident set, "
        "both from `wait4` in a small parent of its own (not from this harness). Stages are one "
        "in-process run.",
        "The floor is `benchmarks/floor.py` (the same comparison in the fastest honest Python: "
        "rapidyaml to JSON read by orjson, the known state by orjson, exact comparison, no "
        f"validation, no rendering) as a fresh process, median of {runs} runs; on every row "
        "it printed as many calls as `plan` and `plan --format json` (the run stops otherwise). "
        "The floor and the plan run in turn, and plan ÷ floor is the median of each pair's "
        "ratio, in wall time (and in CPU time beside it), so a machine whose speed drifts "
        "between runs moves both sides of it alike; load avg is the lowest and highest "
        "one-minute load average read before the pairs. reconciler's bytecode is written "
        "before (as installing the wheel does).",
        "The parse floor is the fastest YAML parser installed, building nothing, in process.",
        "",
        *plan_rows,
    ]
    if apply_rows:
        parts += [
            "",
            "`apply` of client updates to the local sandbox (in its own process), 8 in flight.",
            "calls/min runs from the first call to the last; over much less than a minute the",
            "limiter's first burst (limit/60 calls) lifts it above its steady rate. Busiest 60 s",
            "is the most calls finished within any minute; re-plan is the plan made right after.",
            "The trivial server (`benchmarks/apply_throughput.py`) answers at once: what is left",
            "is apply's own cost (HTTP, folding, one fsync per group of successes); per CPU s is",
            "the rate on a core of its own.",
            "",
            *apply_rows,
        ]
    if sandbox_rows:
        parts += [
            "",
            "Writes the sandbox answers (`benchmarks/sandbox_writes.py`): `PUT /clients/:id.json`,",
            "8 in flight, 1,000 clients, no rate limit; memory only, with a data file flushed in",
            "the background, and with the data file written before every answer.",
            "",
            *sandbox_rows,
        ]
    return "\n".join(parts) + "\n"


def _update_readme(table: str) -> None:
    text = README.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"{README} has no {START} … {END} section")
    README.write_text(pattern.sub(lambda _: f"{START}\n{table}{END}", text), encoding="utf-8")


if __name__ == "__main__":
    main()
