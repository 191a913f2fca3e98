"""Fleets of many accounts in one run: ``python -m benchmarks.fleet_scale [--accounts 200]
[--backends files database] [--large]`` (``--large`` adds 2,000 accounts).

One fake API in a process of its own serves every account on 127.0.0.1, keyed by API key
(``bench-key-<account>``; any other key is answered 401): it answers each request 200 ``{}``
at once and counts the calls per key. Each account's desired file declares ``CLIENTS``
clients, of which ``CHANGED`` differ from its known state (in files, or in a throwaway
PostgreSQL cluster as the tests start). ``reconciler`` runs as a child process with every
account's key and base URL in its environment, as a fleet's operator sets them:

1. ``apply -f accounts/ --auto-approve``: the calls made, checked against the fake's count;
2. ``plan -f accounts/ --detailed-exitcode``: a no-op plan (exit 0, or the run stops);
3. the paired reference: a no-op plan of one account declaring as many clients as the whole
   fleet, run in turn with the fleet's no-op plan ``--pairs`` times; fleet ÷ one is the
   median of each pair's ratio.

For each run: wall time, CPU (the child's user + system, every thread), CPU per account and
per call, the child's peak resident memory, and the most connections the database had open
(``pg_stat_activity``, sampled every 5 ms from a connection of the sampler's own, not
counted).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.generate import changed_clients, desired_yaml, known_state
from benchmarks.machine import compile_package, describe
from reconciler.settings import account_suffix
from reconciler.storage.state_file import StateStore

CLIENTS = 10
"""Clients each account declares."""
CHANGED = 2
"""Clients of each account whose known state differs: the calls an apply makes per account."""
AT_ONCE = 8
"""Accounts worked on in parallel (``RECONCILER_ACCOUNTS_AT_ONCE``)."""
SAMPLE_SECONDS = 0.005

_FAKE = """
import json, socket
from collections import Counter
from aiohttp import web

calls = Counter()

async def answer(request):
    key = request.query.get("api_key", "")
    if request.path == "/__calls":
        return web.json_response(dict(calls))
    await request.read()
    if not key.startswith("bench-key-"):
        return web.json_response({"errors": [{"error": "unauthorized"}]}, status=401)
    calls[key] += 1
    return web.Response(body=b"{}", content_type="application/json")

app = web.Application()
app.router.add_route("*", "/{tail:.*}", answer)
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
web.run_app(app, sock=sock, print=None, access_log=None)
"""


@dataclass(frozen=True)
class Run:
    """One ``reconciler`` command as a child process, and what it cost."""

    command: str
    backend: str
    accounts: int
    clients: int
    exit_code: int
    calls: int
    """Calls the fake API answered during the run."""
    seconds: float
    cpu_seconds: float
    peak_mib: float
    peak_connections: int | None
    """The most connections to the database open at once (None: known state in files)."""

    @property
    def cpu_ms_per_account(self) -> float:
        return self.cpu_seconds * 1000 / self.accounts

    @property
    def cpu_ms_per_call(self) -> float | None:
        return self.cpu_seconds * 1000 / self.calls if self.calls else None


@dataclass(frozen=True)
class Scale:
    """A fleet's apply and no-op plan, and the paired reference of one account."""

    apply: Run
    plan: Run
    fleet_plans: tuple[Run, ...]
    single_plans: tuple[Run, ...]

    @property
    def ratio(self) -> float:
        """The fleet's no-op plan ÷ one account's with as many clients: median of pairs."""
        pairs = zip(self.fleet_plans, self.single_plans, strict=True)
        return statistics.median(fleet.seconds / one.seconds for fleet, one in pairs)

    @property
    def cpu_ratio(self) -> float:
        """The same for CPU seconds: what the fleet costs, apart from waiting for a core."""
        pairs = zip(self.fleet_plans, self.single_plans, strict=True)
        return statistics.median(fleet.cpu_seconds / one.cpu_seconds for fleet, one in pairs)


@contextlib.contextmanager
def fake_api() -> Iterator[str]:
    """The base URL of the fake API, in a process of its own."""
    process = subprocess.Popen([sys.executable, "-c", _FAKE], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield f"http://127.0.0.1:{int(process.stdout.readline())}"
    finally:
        process.terminate()
        process.wait()


def run_child(
    command: list[str], folder: Path, env: dict[str, str]
) -> tuple[int, resource.struct_rusage, bytes]:
    """Run ``command`` in ``folder`` to its end, output discarded: its exit code, its own
    resource usage (``wait4``, every thread) and what it wrote on stderr."""
    process = subprocess.Popen(
        command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    errors = process.stderr.read()  # read while it runs: a full pipe would stop it
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage, errors


def answered(base_url: str) -> dict[str, int]:
    """The calls the fake API answered so far, per API key."""
    import json

    with urllib.request.urlopen(f"{base_url}/__calls", timeout=10) as response:
        found: dict[str, int] = json.loads(response.read())
    return found


@contextlib.contextmanager
def database() -> Iterator[str]:
    """The URL of an empty database in a throwaway PostgreSQL cluster."""
    from tests.support.postgres import PostgresServer, find_bindir

    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL server programs not found (set RECONCILER_PG_BINDIR)")
    with PostgresServer(bindir) as server:
        yield server.create_database()


class ConnectionSampler:
    """The most connections to one database open at once while it runs (its own excluded)."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.peak = 0
        self._connection = psycopg.connect(url, autocommit=True)
        self._name = url.rsplit("/", 1)[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        query = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
        )
        while not self._stop.is_set():
            row = self._connection.execute(query, (self._name,)).fetchone()
            self.peak = max(self.peak, int(row[0]) if row else 0)
            self._stop.wait(SAMPLE_SECONDS)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        self._connection.close()
        return self.peak


def names(accounts: int) -> list[str]:
    return [f"conta-{number:05d}" for number in range(accounts)]


def write_fleet(folder: Path, accounts: int, url: str | None) -> None:
    """``accounts`` desired files in ``folder/accounts``, each with ``CHANGED`` clients left
    to apply; their known states in files, or in the database at ``url``."""
    files = folder / "accounts"
    files.mkdir(parents=True)
    text = desired_yaml(CLIENTS)
    known = known_state(CLIENTS, changed_clients(CLIENTS, CHANGED * 100 / CLIENTS))
    for name in names(accounts):
        (files / f"{name}.yaml").write_text(text, encoding="utf-8")
    if url is None:
        StateStore(files / ".reconciler" / f"{names(1)[0]}.state.json").save(known)
        first = files / ".reconciler" / f"{names(1)[0]}.state.json"
        for name in names(accounts)[1:]:
            shutil.copy(first, files / ".reconciler" / f"{name}.state.json")
        return
    from reconciler.storage.postgres import PostgresStore

    for name in names(accounts):
        store = PostgresStore(url, name)
        store.save(known)
        store.close()


def write_single(folder: Path, clients: int, url: str | None) -> None:
    """One account, ``single``, declaring ``clients`` clients, all in sync."""
    files = folder / "single"
    files.mkdir(parents=True)
    (files / "single.yaml").write_text(desired_yaml(clients), encoding="utf-8")
    known = known_state(clients, frozenset())
    if url is None:
        StateStore(files / ".reconciler" / "single.state.json").save(known)
        return
    from reconciler.storage.postgres import PostgresStore

    store = PostgresStore(url, "single")
    store.save(known)
    store.close()


def environment(
    accounts: int, base_url: str, url: str | None, at_once: int = AT_ONCE
) -> dict[str, str]:
    """The child's environment: every account's key and base URL, suffixed by its name."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RECONCILER_")}
    env.update(
        NO_COLOR="1",
        RECONCILER_RATE_LIMIT="0",
        RECONCILER_ACCOUNTS_AT_ONCE=str(at_once),
        RECONCILER_DIGEST_KEY="bench-digest-key",
        INVOICEXPRESS_API_KEY_SINGLE="bench-key-single",
        INVOICEXPRESS_BASE_URL_SINGLE=base_url,
    )
    for name in names(accounts):
        env[f"INVOICEXPRESS_API_KEY_{account_suffix(name)}"] = f"bench-key-{name}"
        env[f"INVOICEXPRESS_BASE_URL_{account_suffix(name)}"] = base_url
    if url is not None:
        env["RECONCILER_STATE_URL"] = url
    return env


def run(
    args: Sequence[str],
    *,
    folder: Path,
    env: dict[str, str],
    base_url: str,
    url: str | None,
    label: tuple[str, str, int, int],
) -> Run:
    """``python -m reconciler ARGS`` in ``folder``; its cost from its own resource usage."""
    before = sum(answered(base_url).values())
    sampler = ConnectionSampler(url) if url is not None else None
    started = time.perf_counter()
    returncode, usage, errors = run_child([sys.executable, "-m", "reconciler", *args], folder, env)
    seconds = time.perf_counter() - started
    peak = sampler.stop() if sampler is not None else None
    calls = sum(answered(base_url).values()) - before
    command, backend, accounts, clients = label
    if returncode not in (0, 2):
        tail = errors.decode(errors="replace")[-2000:]
        raise RuntimeError(f"{command} ({backend}) exited {returncode}:\n{tail}")
    return Run(
        command,
        backend,
        accounts,
        clients,
        returncode,
        calls,
        seconds,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        peak,
    )


def bench_scale(
    accounts: int,
    backend: str,
    pairs: int,
    base_url: str,
    database_url: str | None = None,
    at_once: int = AT_ONCE,
) -> Scale:
    """Apply, then plan, a fleet of ``accounts``, ``at_once`` at a time; pair its no-op plan
    with one account's. The ``database`` backend uses the empty database at ``database_url``,
    or a throwaway one."""
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fleet-scale-")))
        url = None
        if backend == "database":
            url = database_url or stack.enter_context(database())
        write_fleet(folder, accounts, url)
        write_single(folder, accounts * CLIENTS, url)
        env = environment(accounts, base_url, url, at_once)
        common = {"folder": folder, "env": env, "base_url": base_url, "url": url}
        applying = ("apply", backend, accounts, CLIENTS)
        apply_args = ["apply", "-f", "accounts", "--auto-approve", "--quiet"]
        apply = run(apply_args, **common, label=applying)
        if apply.exit_code != 0 or apply.calls != accounts * CHANGED:
            raise RuntimeError(f"the apply made {apply.calls} calls, not {accounts * CHANGED}")
        plan_args = ["plan", "-f", "accounts", "--quiet", "--detailed-exitcode"]
        single_args = ["plan", "-f", "single/single.yaml", "--quiet", "--detailed-exitcode"]
        fleet = ("no-op plan", backend, accounts, CLIENTS)
        single = ("no-op plan, one account", backend, 1, accounts * CLIENTS)
        fleet_plans, single_plans = [], []
        for _ in range(pairs):
            fleet_plans.append(run(plan_args, **common, label=fleet))
            single_plans.append(run(single_args, **common, label=single))
        for plan in (*fleet_plans, *single_plans):
            if plan.exit_code != 0 or plan.calls:
                raise RuntimeError(f"a no-op plan was not one: {plan}")
        median = sorted(fleet_plans, key=lambda plan: plan.seconds)[len(fleet_plans) // 2]
        return Scale(apply, median, tuple(fleet_plans), tuple(single_plans))


def table(results: Sequence[Scale]) -> str:
    lines = [
        "| known state | accounts | command | calls | wall s | CPU s | CPU ms / account | "
        "CPU ms / call | peak MiB | peak connections | ÷ one account, same clients: wall · CPU |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scale in results:
        ratios = f"{scale.ratio:.2f}× · {scale.cpu_ratio:.2f}×"
        for item, ratio in ((scale.apply, "–"), (scale.plan, ratios)):
            per_call = item.cpu_ms_per_call
            lines.append(
                f"| {item.backend} | {item.accounts:,} | {item.command} | {item.calls:,} | "
                f"{item.seconds:.2f} | {item.cpu_seconds:.2f} | {item.cpu_ms_per_account:.1f} | "
                f"{'–' if per_call is None else f'{per_call:.2f}'} | {item.peak_mib:.0f} | "
                f"{'–' if item.peak_connections is None else item.peak_connections} | {ratio} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fleet_scale", description=__doc__)
    parser.add_argument("--accounts", type=int, nargs="*", default=[200])
    parser.add_argument("--large", action="store_true", help="also 2,000 accounts")
    parser.add_argument("--backends", nargs="*", default=["files", "database"])
    parser.add_argument("--pairs", type=int, default=3, help="paired no-op plans [3]")
    args = parser.parse_args(argv)
    sizes = [*args.accounts, *([2000] if args.large else [])]
    compile_package()
    results = []
    with fake_api() as base_url:
        for accounts in sizes:
            for backend in args.backends:
                results.append(bench_scale(accounts, backend, args.pairs, base_url))
                print(table(results[-1:]).splitlines()[-1], flush=True)
    print(f"\n{describe()}\n")
    print(table(results))


if __name__ == "__main__":
    main()
