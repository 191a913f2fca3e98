"""The sandbox in a process of its own, so that it doesn't share a core with the client.

The sandbox keeps its request log; when it stops it sends back how many answers it gave with
each HTTP status (the 429s are what the rate-limit benchmark counts) and the CPU time its
process used while serving.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from benchmarks.generate import FIRST_CLIENT_ID

API_KEY = "bench-key"


def sandbox_data(clients: int) -> dict[str, Any]:
    """The demo account and sequences, and ``clients`` empty clients with the generated ids."""
    from reconciler.sandbox.demo import demo_data, new_client

    data = demo_data()
    data["clients"] = [new_client(FIRST_CLIENT_ID + index) for index in range(clients)]
    return data


@dataclass
class Statuses:
    """How many answers the sandbox gave with each status, and the CPU seconds its process
    used from start to stop (the final flush of a data file included); filled in when it
    stops."""

    counts: Counter[int] = field(default_factory=Counter)
    cpu_seconds: float = 0.0


def _serve(connection: Connection, clients: int, rate_limit: int, options: dict[str, Any]) -> None:
    from reconciler.sandbox import Sandbox

    sandbox = Sandbox(api_key=API_KEY, data=sandbox_data(clients), rate_limit=rate_limit, **options)
    with sandbox.running_in_thread() as url:
        started = time.process_time()
        connection.send(url)
        connection.recv()
    cpu = time.process_time() - started
    connection.send((Counter(request.status for request in sandbox.requests), cpu))


@contextmanager
def sandbox_process(
    clients: int, rate_limit: int, data_file: Path | None = None, **options: Any
) -> Iterator[tuple[str, Statuses]]:
    """A running sandbox: its base URL, and its answers' statuses once the block ends.

    ``data_file`` and ``options`` (e.g. ``flush_interval``) are passed to ``Sandbox``; the data
    file starts out as the generated data set (it must not exist yet).
    """
    if data_file is not None:
        options = {**options, "data_file": data_file}
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(
        target=_serve, args=(theirs, clients, rate_limit, options), daemon=True
    )
    process.start()
    statuses = Statuses()
    try:
        if not ours.poll(60):
            raise RuntimeError("the sandbox did not start within 60 s")
        yield ours.recv(), statuses
        ours.send("stop")
        if ours.poll(60):
            statuses.counts, statuses.cpu_seconds = ours.recv()
    finally:
        process.join(10)
        if process.is_alive():
            process.terminate()
            process.join()
