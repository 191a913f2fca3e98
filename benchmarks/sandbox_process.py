"""The sandbox in a process of its own, so that it doesn't share a core with the client.

The sandbox keeps its request log; when it stops it sends back how many answers it gave with
each HTTP status (the 429s are what the rate-limit benchmark counts).
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
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
    """How many answers the sandbox gave with each status; filled in when it stops."""

    counts: Counter[int] = field(default_factory=Counter)


def _serve(connection: Connection, clients: int, rate_limit: int) -> None:
    from reconciler.sandbox import Sandbox

    sandbox = Sandbox(api_key=API_KEY, data=sandbox_data(clients), rate_limit=rate_limit)
    with sandbox.running_in_thread() as url:
        connection.send(url)
        connection.recv()
    connection.send(Counter(request.status for request in sandbox.requests))


@contextmanager
def sandbox_process(clients: int, rate_limit: int) -> Iterator[tuple[str, Statuses]]:
    """A running sandbox: its base URL, and its answers' statuses once the block ends."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(theirs, clients, rate_limit), daemon=True)
    process.start()
    statuses = Statuses()
    try:
        if not ours.poll(60):
            raise RuntimeError("the sandbox did not start within 60 s")
        yield ours.recv(), statuses
        ours.send("stop")
        if ours.poll(30):
            statuses.counts = ours.recv()
    finally:
        process.join(10)
        if process.is_alive():
            process.terminate()
            process.join()
