"""A fleet applied in one run: ``python -m benchmarks.fleet_bench [--accounts 20 --clients 200
--limit 150]``.

Every account has a sandbox of its own (all served from this process, each enforcing the
per-account limit) and a desired file of ``--clients`` client updates. ``reconciler apply -f
accounts/ --auto-approve`` runs as a child process with every account at once
(``RECONCILER_ACCOUNTS_AT_ONCE``), once with the known state in files and once in PostgreSQL
(a throwaway server, as the tests start). Reported per backend: the plan of the whole fleet
(changes pending, then none), the apply's calls per minute from its first answered call to its
last against the sum of the accounts' limits, the 429s the sandboxes sent, and what recording
one success costs the backend (appends timed on their own).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.machine import compile_package
from reconciler.clock import now
from reconciler.core.known import KnownState, Record
from reconciler.sandbox import Sandbox, demo_data
from reconciler.sandbox.demo import new_client
from reconciler.settings import account_suffix
from reconciler.storage.backend import StateBackend
from reconciler.storage.postgres import PostgresStore
from reconciler.storage.state_file import StateStore

FIRST_CLIENT = 5000
APPENDS = 1000


@dataclass(frozen=True)
class FleetResult:
    """One backend's run: plan times, the apply's rate against the fleet's limit, its cost."""

    backend: str
    accounts: int
    calls: int
    plan_seconds: float
    replan_seconds: float
    replan_calls_pending: bool
    apply_seconds: float
    per_minute: float
    limit_sum: int
    too_many: int
    append_ms: float


def _write_fleet(folder: Path, accounts: int, clients: int) -> list[str]:
    names = [f"conta-{number:02d}" for number in range(accounts)]
    (folder / "accounts").mkdir(parents=True)
    for name in names:
        lines = ["clients:"]
        for client in range(FIRST_CLIENT, FIRST_CLIENT + clients):
            lines += [
                f"  - id: {client}",
                f'    code: "{name}-{client}"',
                f'    name: "Cliente {client} de {name}"',
                '    city: "Lisboa"',
            ]
        (folder / "accounts" / f"{name}.yaml").write_text("\n".join(lines) + "\n")
    return names


def _sandbox(name: str, clients: int, limit: int, window: float) -> Sandbox:
    data = demo_data()
    data["clients"] = [new_client(FIRST_CLIENT + index) for index in range(clients)]
    return Sandbox(api_key=f"key-{name}", data=data, rate_limit=limit, rate_window=window)


def _accepted(sandboxes: list[Sandbox]) -> int:
    return sum(
        1
        for sandbox in sandboxes
        for r in sandbox.requests
        if r.method == "PUT" and 200 <= r.status < 300
    )


class _Sampler:
    """When the sandboxes answered their first and their last call, sampled every 50 ms."""

    def __init__(self, sandboxes: list[Sandbox], total: int) -> None:
        self.first = self.last = 0.0
        self._sandboxes, self._total = sandboxes, total
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            done = _accepted(self._sandboxes)
            if done and not self.first:
                self.first = time.monotonic()
            if done >= self._total:
                self.last = time.monotonic()
                return
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _reconciler(args: list[str], env: dict[str, str], folder: Path) -> tuple[int, float, str]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", *args],
        env={**os.environ, **env},
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, time.monotonic() - started, done.stdout + done.stderr


def _append_cost(store: StateBackend) -> float:
    """Milliseconds to record one success, over ``APPENDS`` of them."""
    state = KnownState.new()
    started = time.perf_counter()
    for number in range(APPENDS):
        key = f"client:{number}"
        record = Record(applied={"code": f"C{number}", "name": f"N {number}"}, applied_at=now())
        state = state.applied(key, record)
        store.append(state, key)
    return (time.perf_counter() - started) * 1000 / APPENDS


@contextlib.contextmanager
def _database() -> Iterator[str]:
    from tests.support.postgres import PostgresServer, find_bindir

    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL server programs not found (set RECONCILER_PG_BINDIR)")
    with PostgresServer(bindir) as server:
        yield server.create_database()


def bench_fleet(
    backend: str,
    accounts: int,
    clients: int,
    limit: int,
    client_limit: float | None = None,
    window: float = 60.0,
) -> FleetResult:
    """Plan, apply and plan again a fleet against its sandboxes, with one backend. Each sandbox
    admits ``limit`` requests per ``window`` seconds; the client is told ``client_limit`` per
    window (default: the same limit). ``per_minute`` and ``limit_sum`` are scaled to a 60 s
    window."""
    scale = 60 / window
    with (
        tempfile.TemporaryDirectory(prefix="fleet-bench-") as work,
        contextlib.ExitStack() as stack,
    ):
        folder = Path(work)
        names = _write_fleet(folder, accounts, clients)
        sandboxes = [_sandbox(name, clients, limit, window) for name in names]
        told = limit if client_limit is None else client_limit
        env = {
            "RECONCILER_RATE_LIMIT": str(round(told * scale)),
            "RECONCILER_RATE_WINDOW": str(window),
            "RECONCILER_ACCOUNTS_AT_ONCE": str(accounts),
            "RECONCILER_DIGEST_KEY": "bench-digest-key",
            "NO_COLOR": "1",
        }
        for name, sandbox in zip(names, sandboxes, strict=True):
            env[f"INVOICEXPRESS_BASE_URL_{account_suffix(name)}"] = stack.enter_context(
                sandbox.running_in_thread()
            )
            env[f"INVOICEXPRESS_API_KEY_{account_suffix(name)}"] = f"key-{name}"
        if backend == "database":
            url = stack.enter_context(_database())
            env["RECONCILER_STATE_URL"] = url
            store: StateBackend = PostgresStore(url, "append-cost")
        else:
            store = StateStore(folder / "append-cost.state.json")
        plan = ["plan", "-f", "accounts", "--quiet", "--detailed-exitcode"]
        code, plan_seconds, output = _reconciler(plan, env, folder)
        assert code == 2, output
        calls = accounts * clients
        sampler = _Sampler(sandboxes, calls)
        code, apply_seconds, output = _reconciler(
            ["apply", "-f", "accounts", "--auto-approve", "--quiet"], env, folder
        )
        sampler.stop()
        assert code == 0 and _accepted(sandboxes) == calls, output
        code, replan_seconds, output = _reconciler(plan, env, folder)
        too_many = sum(1 for s in sandboxes for r in s.requests if r.status == 429)
        span = max(sampler.last - sampler.first, 1e-9)
        return FleetResult(
            backend,
            accounts,
            calls,
            plan_seconds,
            replan_seconds,
            code != 0,
            apply_seconds,
            calls / span * 60 / scale,
            accounts * limit,
            too_many,
            _append_cost(store),
        )


def table(results: list[FleetResult], limit: int) -> str:
    lines = [
        f"| known state | accounts × calls | plan s (pending / none) | apply s | calls/min | "
        f"÷ sum of limits ({limit}/min each) | 429s | record one success |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.backend} | {r.accounts} × {r.calls // r.accounts} | "
            f"{r.plan_seconds:.2f} / {r.replan_seconds:.2f}"
            f"{' (calls left!)' if r.replan_calls_pending else ''} | {r.apply_seconds:.1f} | "
            f"{r.per_minute:,.0f} | {r.per_minute / r.limit_sum:.3f} | {r.too_many} | "
            f"{r.append_ms:.2f} ms |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fleet_bench", description=__doc__)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--clients", type=int, default=200, help="client updates per account")
    parser.add_argument("--limit", type=int, default=150, help="requests per minute, per account")
    parser.add_argument("--backends", nargs="*", default=["files", "database"])
    args = parser.parse_args(argv)
    compile_package()
    results = [
        bench_fleet(backend, args.accounts, args.clients, args.limit) for backend in args.backends
    ]
    print(table(results, args.limit))


if __name__ == "__main__":
    main()
