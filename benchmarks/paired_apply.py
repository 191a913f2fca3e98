"""CPU per call of ``reconciler apply``, two installs paired: fresh processes run in turn.

``python -m benchmarks.paired_apply --before PATH/TO/OTHER/bin/reconciler [--pairs 5]
[--calls 1000 3000] [--accounts 20] [--fleet-calls 100 200]``

One fake API in a process of its own (``benchmarks.fleet_scale``) answers every request 200
``{}`` at once and counts the calls per API key. Each scenario declares a fixed set of clients
and differs from its known state (a file, copied fresh for each run) in as many clients as
calls are wanted, so that the plan's own work is the same at both call counts:

- one account declaring ``max(--calls)`` clients, an apply of each of ``--calls`` updates;
- a fleet of ``--accounts`` accounts declaring ``max(--fleet-calls)`` clients each, an apply
  of each of ``--fleet-calls`` updates per account (8 accounts at once).

Each apply is ``reconciler apply --auto-approve --force --quiet`` as a child process, no rate
limit, 8 calls in flight; its CPU time is the child's user + system (``wait4``, every thread),
and the fake's count of calls is checked. The before install and this one alternate, call
count by call count; the CPU per call is the slope between the smallest and the largest call
count (start-up, planning and the per-account work cancel out), taken per pair, and the figure
to trust is the median of the pairs' ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import urllib.error
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.fleet_scale import answered, fake_api, names, run_child
from benchmarks.generate import changed_clients, desired_yaml, known_state
from benchmarks.machine import describe
from reconciler.settings import account_suffix
from reconciler.storage.state_file import StateStore

AT_ONCE = 8
IN_FLIGHT = 8

_CALLS_ONLY = """
import asyncio, atexit, os, sys, time
import aiohttp  # imported before any clock starts: a one-time cost, not the calls'
_run, spent = asyncio.run, [0.0]
def run(main, **options):
    started = time.process_time()
    try:
        return _run(main, **options)
    finally:
        spent[0] += time.process_time() - started
asyncio.run = run
atexit.register(lambda: open(os.environ["PAIRED_APPLY_SPENT"], "w").write(repr(spent[0])))
sys.argv[0] = "reconciler"
from reconciler.__main__ import run as main
sys.exit(main())
"""
"""Runs ``reconciler`` and writes the CPU seconds spent inside ``asyncio.run`` (every thread):
one account's calls made and recorded, without start-up, planning or the final save."""


@dataclass(frozen=True)
class Scenario:
    """Desired files, and a known state per call count for each account, to copy per run."""

    folder: Path
    accounts: tuple[str, ...]
    """Account names; a single account is ``single`` and applied by file, not as a fleet."""
    calls: tuple[int, ...]
    """Calls per account, one apply each."""

    @property
    def fleet(self) -> bool:
        return self.accounts != ("single",)

    def known(self, calls: int) -> Path:
        return self.folder / f"known-{calls}.state.json"

    def prepare(self, calls: int) -> Path:
        """A fresh working folder whose known states leave ``calls`` updates per account."""
        work = self.folder / "run"
        if work.exists():
            shutil.rmtree(work)
        state = work / ".reconciler"
        state.mkdir(parents=True)
        for name in self.accounts:
            shutil.copy(self.folder / "desired.yaml", work / f"{name}.yaml")
            shutil.copy(self.known(calls), state / f"{name}.state.json")
        return work


@contextlib.contextmanager
def serving() -> Iterator[str]:
    """The fake API's base URL, once it answers (it says its port before it listens)."""
    with fake_api() as base_url:
        while True:
            try:
                answered(base_url)
            except urllib.error.URLError:
                continue
            break
        yield base_url


def write(folder: Path, accounts: Sequence[str], calls: Sequence[int]) -> Scenario:
    """Every account declares ``max(calls)`` clients; one known state per call count."""
    clients = max(calls)
    folder.mkdir(parents=True)
    (folder / "desired.yaml").write_text(desired_yaml(clients), encoding="utf-8")
    scenario = Scenario(folder, tuple(accounts), tuple(calls))
    for count in calls:
        changed = changed_clients(clients, count * 100 / clients)
        StateStore(scenario.known(count)).save(known_state(clients, changed))
    return scenario


def environment(accounts: Sequence[str], base_url: str, rate_limit: int = 0) -> dict[str, str]:
    """The child's environment: the rate limit (0: none), every account's key and base URL."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RECONCILER_")}
    env.update(
        NO_COLOR="1",
        RECONCILER_RATE_LIMIT=str(rate_limit),
        RECONCILER_CONCURRENCY=str(IN_FLIGHT),
        RECONCILER_ACCOUNTS_AT_ONCE=str(AT_ONCE),
        RECONCILER_DIGEST_KEY="bench-digest-key",
        INVOICEXPRESS_API_KEY="bench-key-single",
        INVOICEXPRESS_BASE_URL=base_url,
    )
    for name in accounts:
        env[f"INVOICEXPRESS_API_KEY_{account_suffix(name)}"] = f"bench-key-{name}"
        env[f"INVOICEXPRESS_BASE_URL_{account_suffix(name)}"] = base_url
    return env


def apply_cpu(
    reconciler: str,
    scenario: Scenario,
    calls: int,
    base_url: str,
    rate_limit: int = 0,
    calls_only: bool = False,
) -> float:
    """CPU seconds of one apply of ``calls`` updates per account by ``reconciler`` (with
    ``calls_only``, of its event loop alone: one account only); checks that the fake answered
    exactly the calls expected."""
    work = scenario.prepare(calls)
    files = ["-f", "."] if scenario.fleet else ["-f", "single.yaml"]
    before = sum(answered(base_url).values())
    env = environment(scenario.accounts, base_url, rate_limit)
    command = [reconciler]
    if calls_only:
        if scenario.fleet:
            raise ValueError("the event loop alone is measured for one account only")
        env["PAIRED_APPLY_SPENT"] = str(scenario.folder / "spent")
        command = [str(Path(reconciler).with_name("python")), "-c", _CALLS_ONLY]
    apply = [*command, "apply", *files, "--auto-approve", "--force", "--quiet"]
    returncode, usage, errors = run_child(apply, work, env)
    made = sum(answered(base_url).values()) - before
    expected = calls * len(scenario.accounts)
    if returncode != 0 or made != expected:
        tail = errors.decode(errors="replace")[-2000:]
        raise RuntimeError(f"{reconciler}: {made} calls made, not {expected}:\n{tail}")
    if calls_only:
        return float((scenario.folder / "spent").read_text())
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Pair:
    """One round: each install's CPU seconds at each call count."""

    before: dict[int, float]
    now: dict[int, float]

    def per_call(self, side: dict[int, float], calls: int) -> float:
        """CPU seconds per call: the slope from the smallest call count to the largest."""
        low, high = min(side), max(side)
        return (side[high] - side[low]) / ((high - low) * calls)


def measure(
    before: str,
    now: str,
    scenario: Scenario,
    base_url: str,
    pairs: int,
    rate_limit: int = 0,
    calls_only: bool = False,
) -> list[Pair]:
    """``pairs`` rounds, each applying every call count with the before install, then now."""
    rounds = []
    for _ in range(pairs):
        pair = Pair({}, {})
        for calls in scenario.calls:
            for install, side in ((before, pair.before), (now, pair.now)):
                side[calls] = apply_cpu(install, scenario, calls, base_url, rate_limit, calls_only)
        rounds.append(pair)
        print(f"  {pair}", file=sys.stderr, flush=True)
    return rounds


def row(label: str, scenario: Scenario, rounds: list[Pair]) -> str:
    accounts = len(scenario.accounts)
    low, high = min(scenario.calls), max(scenario.calls)
    before = statistics.median(pair.per_call(pair.before, accounts) for pair in rounds)
    now = statistics.median(pair.per_call(pair.now, accounts) for pair in rounds)
    ratio = statistics.median(
        pair.per_call(pair.before, accounts) / pair.per_call(pair.now, accounts) for pair in rounds
    )
    total_before = statistics.median(pair.before[high] for pair in rounds)
    total_now = statistics.median(pair.now[high] for pair in rounds)
    return (
        f"| {label} | {low * accounts:,} → {high * accounts:,} | {total_before:.2f} | "
        f"{total_now:.2f} | {1 / before:,.0f} | {1 / now:,.0f} | {before * 1000:.3f} | "
        f"{now * 1000:.3f} | {ratio:.2f}× | {len(rounds)} |"
    )


HEADER = (
    "| scenario | calls | CPU s before (most calls) | CPU s now | calls per CPU s before | "
    "now | CPU ms per call before | now | before ÷ now (median of pairs) | pairs |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.paired_apply", description=__doc__)
    parser.add_argument("--before", required=True, help="the other install's reconciler")
    parser.add_argument("--now", default=shutil.which("reconciler") or "reconciler")
    parser.add_argument("--calls", type=int, nargs=2, default=[1000, 3000])
    parser.add_argument("--accounts", type=int, default=20, help="fleet accounts (0: none)")
    parser.add_argument("--fleet-calls", type=int, nargs=2, default=[100, 200])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--skip-single", action="store_true")
    parser.add_argument(
        "--rate-limit", type=int, default=0, help="requests per minute per account [0: none]"
    )
    parser.add_argument(
        "--calls-only",
        action="store_true",
        help="one account: count only the CPU of the apply's event loop (each install's python)",
    )
    args = parser.parse_args(argv)
    args.before, args.now = os.path.abspath(args.before), os.path.abspath(args.now)
    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="paired-apply-") as scratch,
        serving() as base_url,
    ):
        if not args.skip_single:
            single = write(Path(scratch) / "single", ["single"], args.calls)
            rounds = measure(
                args.before,
                args.now,
                single,
                base_url,
                args.pairs,
                args.rate_limit,
                args.calls_only,
            )
            label = "one account, event loop only" if args.calls_only else "one account"
            rows.append(row(label, single, rounds))
            print(rows[-1], flush=True)
        if args.accounts:
            fleet = write(Path(scratch) / "fleet", names(args.accounts), args.fleet_calls)
            rounds = measure(args.before, args.now, fleet, base_url, args.pairs, args.rate_limit)
            rows.append(row(f"{args.accounts} accounts", fleet, rounds))
            print(rows[-1], flush=True)
    paced = f"{args.rate_limit:,} requests/min per account" if args.rate_limit else "no rate limit"
    print(f"\n{describe()}, load average {os.getloadavg()[0]:.1f}, {paced}\n")
    print(HEADER)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
