"""How many calls per second ``apply`` can make and record when the server costs nothing.

A trivial aiohttp server in a process of its own answers every request on 127.0.0.1 with 200
``{}`` at once; the apply runs here through the functions the CLI uses (plan, ``ApiClient``,
``apply_plan`` journaling every success in a known-state file), 8 calls in flight by default.
What is left is the client's own cost: HTTP, folding the state, and making each success
durable. ``python -m benchmarks.apply_throughput [--calls N] [--in-flight N] [--runs N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from benchmarks.generate import write_scenario

_SERVER = """
import socket, sys
from aiohttp import web

async def answer(request):
    await request.read()
    return web.Response(body=b"{}", content_type="application/json")

app = web.Application()
app.router.add_route("*", "/{tail:.*}", answer)
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
web.run_app(app, sock=sock, print=None, access_log=None)
"""


@dataclass(frozen=True)
class Throughput:
    """One apply against the trivial server."""

    calls: int
    succeeded: int
    seconds: float
    cpu_seconds: float
    journal_lines: int

    @property
    def per_second(self) -> float:
        return self.succeeded / self.seconds

    @property
    def per_cpu_second(self) -> float:
        """Calls per second of this process's CPU (every thread): the rate on a core of its
        own, as long as the writes keep up; unlike ``per_second``, not lowered by other load."""
        return self.succeeded / self.cpu_seconds


@contextmanager
def trivial_server() -> Iterator[str]:
    """The base URL of a server answering 200 ``{}`` to everything, in its own process."""
    process = subprocess.Popen([sys.executable, "-c", _SERVER], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait()


def bench_throughput(folder: Path, base_url: str, calls: int, in_flight: int) -> Throughput:
    """Apply ``calls`` client updates to the server at ``base_url``, ``in_flight`` at a time."""
    from reconciler.api.api_client import ApiClient
    from reconciler.core.plan import build_plan
    from reconciler.core.report import Status
    from reconciler.core.secrets import DigestKey
    from reconciler.desired.document import load_desired
    from reconciler.settings import ToolSettings
    from reconciler.storage.state_file import StateStore
    from reconciler.workflows.apply import apply_plan

    scenario = write_scenario(folder, calls, 100)
    settings = ToolSettings(rate_limit=0, concurrency=in_flight)
    with tempfile.TemporaryDirectory() as scratch:
        store = StateStore(Path(scratch) / "known.state.json")
        shutil.copy(scenario.known, store.path)
        known = store.load()
        plan = build_plan(load_desired(scenario.desired, {}), known, DigestKey("bench-digest-key"))

        async def run() -> int:
            async with ApiClient(base_url, SecretStr("bench-key"), settings) as client:
                report = await apply_plan(plan, client, store, known, concurrency=in_flight)
            return len(report.with_status(Status.SUCCEEDED))

        started, cpu = time.perf_counter(), time.process_time()
        succeeded = asyncio.run(run())
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        lines = len(store.journal.entries())
    return Throughput(len(plan.calls), succeeded, seconds, cpu, lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.apply_throughput", description=__doc__
    )
    parser.add_argument("--calls", type=int, default=3000, help="client updates per run [3000]")
    parser.add_argument("--in-flight", type=int, default=8, help="concurrent calls [8]")
    parser.add_argument("--runs", type=int, default=3, help="runs; the median is shown [3]")
    arguments = parser.parse_args(argv)
    rates, cpu_rates = [], []
    with (
        tempfile.TemporaryDirectory(prefix="reconciler-throughput-") as scratch,
        trivial_server() as base_url,
    ):
        for _ in range(arguments.runs):
            result = bench_throughput(Path(scratch), base_url, arguments.calls, arguments.in_flight)
            if not result.succeeded == result.calls == result.journal_lines:
                raise RuntimeError(f"not every call succeeded and was journaled: {result}")
            rates.append(result.per_second)
            cpu_rates.append(result.per_cpu_second)
            print(
                f"{result.succeeded:,} calls in {result.seconds:.2f} s: "
                f"{result.per_second:,.0f} calls/s, {result.per_cpu_second:,.0f} per CPU second",
                flush=True,
            )
    print(
        f"median: {statistics.median(rates):,.0f} calls/s, "
        f"{statistics.median(cpu_rates):,.0f} per CPU second, at {arguments.in_flight} in flight"
    )


if __name__ == "__main__":
    main()
