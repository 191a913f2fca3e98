"""``apply`` against the local sandbox: throughput with no rate limit, and the rate sustained
under a limit (and how many 429s the sandbox had to send).

The sandbox runs in a process of its own; the apply runs here, through the same functions the
CLI uses (plan, ``ApiClient``, ``apply_plan`` with its journal), so its phases can be timed.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from benchmarks.generate import write_scenario
from benchmarks.sandbox_process import API_KEY, sandbox_process

WINDOW = 60.0


@dataclass(frozen=True)
class ApplyResult:
    """One apply: calls made and how long they took, the rate, and the sandbox's 429s."""

    calls: int
    succeeded: int
    seconds: float
    per_minute: float
    busiest_minute: int
    too_many_requests: int
    replan_calls: int
    settled_per_minute: float | None = None
    """The client's rate at the end (it starts at its configured limit, lowered by 429s)."""


def _busiest_window(times: list[float]) -> int:
    """The most completions within any 60-second window."""
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= WINDOW:
            start += 1
        most = max(most, end - start + 1)
    return most


def bench_apply(
    folder: Path,
    clients: int,
    rate_limit: int,
    concurrency: int = 8,
    server_limit: int | None = None,
    window: float = WINDOW,
    sandbox: dict[str, Any] | None = None,
) -> ApplyResult:
    """Apply ``clients`` client updates with the client's limit at ``rate_limit`` per minute to
    a fresh sandbox limited to ``server_limit`` per minute (default: the same); ``window`` is
    the seconds both count over, ``sandbox`` more options for it (``faults``)."""
    from reconciler.api.api_client import ApiClient
    from reconciler.core.plan import build_plan
    from reconciler.core.report import Status
    from reconciler.core.secrets import DigestKey
    from reconciler.desired.document import load_desired
    from reconciler.settings import ToolSettings
    from reconciler.storage.state_file import StateStore
    from reconciler.workflows.apply import apply_plan

    scenario = write_scenario(folder, clients, 100)
    key = DigestKey("bench-digest-key")
    settings = ToolSettings(rate_limit=rate_limit, concurrency=concurrency, rate_window=window)
    with tempfile.TemporaryDirectory() as scratch:
        store = StateStore(Path(scratch) / "known.state.json")
        shutil.copy(scenario.known, store.path)
        desired = load_desired(scenario.desired, {})
        known = store.load()
        plan = build_plan(desired, known, key)
        finished: list[float] = []
        settled: list[float] = []

        async def run(base_url: str) -> int:
            async with ApiClient(base_url, SecretStr(API_KEY), settings) as client:
                report = await apply_plan(
                    plan,
                    client,
                    store,
                    known,
                    concurrency=concurrency,
                    on_outcome=lambda _: finished.append(time.perf_counter()),
                )
                if client.pacing is not None:
                    settled.append(client.pacing.per_minute)
            store.save(report.state)
            return len(report.with_status(Status.SUCCEEDED))

        limit = rate_limit if server_limit is None else server_limit
        options: dict[str, Any] = {"rate_window": window, **(sandbox or {})}
        with sandbox_process(clients, limit, **options) as (base_url, statuses):
            started = time.perf_counter()
            succeeded = asyncio.run(run(base_url))
            seconds = time.perf_counter() - started
        replan = build_plan(desired, store.load(), key)
    # The rate is measured from the first call's start to the last one's end.
    span = finished[-1] - started if finished else float("nan")
    return ApplyResult(
        calls=len(plan.calls),
        succeeded=succeeded,
        seconds=seconds,
        per_minute=len(finished) / span * 60,
        busiest_minute=_busiest_window(finished),
        too_many_requests=statuses.counts.get(429, 0),
        replan_calls=len(replan.calls),
        settled_per_minute=settled[0] if settled else None,
    )
