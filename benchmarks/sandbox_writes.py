"""Writes per second the sandbox answers: ``python -m benchmarks.sandbox_writes [--requests N]``.

Starts the sandbox in a process of its own on 127.0.0.1 with an account of ``--clients``
clients and no rate limit, sends ``--requests`` ``PUT /clients/:id.json`` (aiohttp,
``--in-flight`` at a time, round robin over the clients) and prints a table: writes/s, the
sandbox's and the sending client's CPU milliseconds per write, and, with a data file, whether
the file read after the sandbox stopped holds the last answered write of every client. The
CPU figures tell what the writes/s would be on idle cores: on a busy machine the sandbox, the
client and everything else share them.

Modes: ``memory`` (no data file), ``data`` (a data file, the default background flush) and
``data-sync`` (a data file written before every answer, ``flush_interval=0``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks.generate import FIRST_CLIENT_ID
from benchmarks.machine import describe
from benchmarks.sandbox_process import API_KEY, sandbox_process

MODES = ("memory", "data", "data-sync")


@dataclass(frozen=True)
class WriteResult:
    """One mode's run: how many writes were answered 200 and how fast."""

    mode: str
    requests: int
    succeeded: int
    seconds: float
    cpu_seconds: float
    client_cpu_seconds: float
    file_holds_every_write: bool | None

    @property
    def per_second(self) -> float:
        return self.succeeded / self.seconds if self.seconds else 0.0


def _body(client_id: int, round_: int) -> dict[str, Any]:
    return {"client": {"name": f"Bench {client_id}", "code": f"B{client_id}", "city": f"R{round_}"}}


async def _put_all(base_url: str, clients: int, requests: int, in_flight: int) -> int:
    """Send every PUT, ``in_flight`` at a time; the number answered 200."""
    next_request = 0
    succeeded = 0
    connector = aiohttp.TCPConnector(limit=in_flight)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal next_request, succeeded
            while next_request < requests:
                n = next_request
                next_request += 1
                client_id = FIRST_CLIENT_ID + n % clients
                url = f"{base_url}/clients/{client_id}.json"
                async with session.put(
                    url, params={"api_key": API_KEY}, json=_body(client_id, n // clients)
                ) as answer:
                    await answer.read()
                    succeeded += answer.status == 200

        await asyncio.gather(*(worker() for _ in range(in_flight)))
    return succeeded


def _file_holds_every_write(path: Path, clients: int, requests: int) -> bool:
    """Whether every client's city in the file is the one its last write sent."""
    stored = {c["id"]: c for c in json.loads(path.read_text("utf-8"))["clients"]}
    for index in range(min(clients, requests)):
        client_id = FIRST_CLIENT_ID + index
        last_round = (requests - 1 - index) // clients
        if stored[client_id].get("city") != f"R{last_round}":
            return False
    return True


def bench_writes(mode: str, clients: int, requests: int, in_flight: int) -> WriteResult:
    """One mode: a fresh sandbox, ``requests`` writes, then (with a data file) the check."""
    with tempfile.TemporaryDirectory(prefix="sandbox-writes-") as folder:
        data_file = Path(folder) / "sandbox.json" if mode != "memory" else None
        options: dict[str, Any] = {"flush_interval": 0.0} if mode == "data-sync" else {}
        with sandbox_process(clients, 0, data_file, **options) as (base_url, statuses):
            warm_up = min(requests, 50)
            asyncio.run(_put_all(base_url, clients, warm_up, in_flight))
            started, client_started = time.perf_counter(), time.process_time()
            succeeded = asyncio.run(_put_all(base_url, clients, requests, in_flight))
            seconds = time.perf_counter() - started
            client_cpu = time.process_time() - client_started
        holds = None
        if data_file is not None:
            holds = _file_holds_every_write(data_file, clients, requests)
        return WriteResult(
            mode, requests, succeeded, seconds, statuses.cpu_seconds, client_cpu, holds
        )


def _row(result: WriteResult, warm_up: int) -> str:
    holds = {None: "–", True: "yes", False: "NO"}[result.file_holds_every_write]
    cpu_ms = 1000 * result.cpu_seconds / (result.requests + warm_up)
    client_ms = 1000 * result.client_cpu_seconds / result.requests
    return (
        f"| {result.mode} | {result.requests:,} | {result.succeeded:,} | {result.seconds:.2f} "
        f"| {result.per_second:,.0f} | {cpu_ms:.2f} | {client_ms:.2f} | {holds} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.sandbox_writes", description=__doc__
    )
    parser.add_argument("--clients", type=int, default=1000, help="clients in the account")
    parser.add_argument("--requests", type=int, default=3000, help="PUTs timed per mode")
    parser.add_argument("--in-flight", type=int, default=8, help="requests in flight")
    parser.add_argument("--modes", nargs="*", choices=MODES, default=list(MODES))
    args = parser.parse_args(argv)
    print(f"Measured on {describe()}.")
    print(
        f"\n{args.requests:,} × PUT /clients/:id.json, {args.in_flight} in flight, "
        f"{args.clients:,} clients, no rate limit; the sandbox's CPU time includes the warm-up "
        "and the final flush.\n"
    )
    print(
        "| mode | writes | answered 200 | seconds | writes/s "
        "| sandbox CPU ms/write | client CPU ms/write | file holds all |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for mode in args.modes:
        result = bench_writes(mode, args.clients, args.requests, args.in_flight)
        print(_row(result, min(args.requests, 50)), flush=True)


if __name__ == "__main__":
    main()
