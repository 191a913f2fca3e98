"""A runner that loses its PostgreSQL connection mid-apply stops before its next call, exit 3.

Runner A applies in a child process against the sandbox (each answer a little delayed, so the
apply lasts). When the sandbox stores A's fifth client, the test ends one of A's database
connections with ``pg_terminate_backend``, as an idle-session timeout or a firewall would:
the one holding the account's advisory lock, or the one A records its successes on. A must
stop before its next call and exit 3 saying how many calls it made and recorded; a runner B
started at once makes the rest, and no call reaches the sandbox twice beyond the ones A had in
flight when its connection died.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from reconciler.sandbox import Sandbox
from reconciler.sandbox.faults import Faults
from reconciler.storage.postgres_lock import lock_key
from tests.support.cli_process import API_KEY, environment, spawn
from tests.support.many_clients import Fleet, resource_of

CLIENTS = 30
CONCURRENCY = 2
TERMINATE_AT = 5  # the client write during which A's connection is ended
STOP_LINE = "lost the known-state lock"
COUNTS = re.compile(r"Apply: (\d+) calls? made, (\d+) recorded")


def _lock_backends(url: str) -> list[int]:
    """The server processes holding the advisory lock of the account ``state``."""
    key = lock_key("state")
    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND objsubid = 1 AND classid::bigint = %s AND objid::bigint = %s",
            ((key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF),
        ).fetchall()
    return [int(row[0]) for row in rows]


def _recording_backends(url: str, child: int) -> list[int]:
    """The server processes of ``child`` that record its successes: each of its connections
    but one whose last statement took the advisory lock."""
    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name LIKE %s"
            " AND query NOT ILIKE %s",
            (f"pid {child} %", "%advisory_lock(%"),
        ).fetchall()
    return [int(row[0]) for row in rows]


def _terminate(url: str, pids: list[int]) -> None:
    with psycopg.connect(url, autocommit=True) as db:
        for pid in pids:
            db.execute("SELECT pg_terminate_backend(%s)", (pid,))


def _successful_puts(sandbox: Sandbox) -> Counter[str]:
    """How many times each resource was changed with success (a registration's 409 too)."""
    return Counter(
        resource_of(r.path)
        for r in sandbox.requests
        if r.method == "PUT" and (200 <= r.status < 300 or r.status == 409)
    )


def _records(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as db:
        row = db.execute(
            "SELECT count(*) FROM reconciler_records WHERE account = 'state'"
        ).fetchone()
    return int(row[0]) if row else 0


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Fleet, Sandbox, dict[str, str]]]:
    fleet = Fleet(tmp_path, CLIENTS).write()
    sandbox = Sandbox(
        api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0, faults=Faults(latency=0.05)
    )
    with sandbox.running_in_thread() as base_url:
        yield fleet, sandbox, environment(base_url, RECONCILER_CONCURRENCY=str(CONCURRENCY))


@dataclass
class Termination:
    """Set once the sandbox ended the connections found (none found is a test failure)."""

    ended: threading.Event = field(default_factory=threading.Event)
    found: list[int] = field(default_factory=list)


def _terminating(sandbox: Sandbox, backends: Callable[[], list[int]], url: str) -> Termination:
    """Make the sandbox end ``backends()`` while it stores the TERMINATE_AT-th client."""
    termination = Termination()
    seen: list[object] = []

    def city(value: object) -> object:
        seen.append(value)
        if len(seen) == TERMINATE_AT:
            termination.found.extend(backends())
            _terminate(url, termination.found)
            termination.ended.set()
        return value

    sandbox.rewrites = {"client.city": city}
    return termination


def _apply(fleet: Fleet, url: str, *, ask: bool = False) -> list[str]:
    approve = [] if ask else ["--auto-approve"]
    return ["apply", "-f", str(fleet.desired), *approve, "--state-url", url]


def _run_a_then_b(
    fleet: Fleet,
    sandbox: Sandbox,
    env: dict[str, str],
    url: str,
    which: Callable[[subprocess.Popen[bytes]], Callable[[], list[int]]],
) -> str:
    """Start A, end its connection mid-apply, start B at once; both must finish as promised.
    Returns A's output."""
    folder_a, folder_b = fleet.folder / "a", fleet.folder / "b"
    folder_a.mkdir()
    folder_b.mkdir()
    runner_a = spawn(_apply(fleet, url), env, folder_a)
    termination = _terminating(sandbox, which(runner_a), url)
    try:
        assert termination.ended.wait(timeout=300), "A never stored its fifth client"
        assert termination.found, "no connection of A was found to end"
        runner_b = spawn([*_apply(fleet, url), "--lock-timeout", "300"], env, folder_b)
        code_a, code_b = runner_a.wait(timeout=300), runner_b.wait(timeout=300)
    finally:
        runner_a.kill()
    output_a = (folder_a / "child.out").read_text()
    output_b = (folder_b / "child.out").read_text()
    assert code_a == 3, output_a
    assert STOP_LINE in output_a and "stopped before the next call" in output_a, output_a
    assert COUNTS.search(output_a), output_a
    assert "Traceback" not in output_a + output_b
    assert code_b == 0, output_b
    assert fleet.converged(sandbox) == []
    puts = _successful_puts(sandbox)
    twice = {resource: count for resource, count in puts.items() if count > 1}
    # Only the calls A had in flight when its connection died may be made again by B.
    assert len(twice) <= CONCURRENCY and all(c == 2 for c in twice.values()), twice
    assert sum(puts.values()) <= fleet.calls + CONCURRENCY, puts
    assert _records(url) == fleet.calls
    return output_a


def test_a_runner_whose_lock_connection_is_terminated_stops_and_the_next_one_finishes(
    served: tuple[Fleet, Sandbox, dict[str, str]], postgres_url: str
) -> None:
    fleet, sandbox, env = served
    _run_a_then_b(fleet, sandbox, env, postgres_url, lambda _: lambda: _lock_backends(postgres_url))


def test_a_runner_whose_recording_connection_is_terminated_stops_and_the_next_one_finishes(
    served: tuple[Fleet, Sandbox, dict[str, str]], postgres_url: str
) -> None:
    fleet, sandbox, env = served
    _run_a_then_b(
        fleet,
        sandbox,
        env,
        postgres_url,
        lambda runner: lambda: _recording_backends(postgres_url, runner.pid),
    )


def test_the_recording_connection_dropping_mid_apply_exits_3_with_the_counts_not_1(
    served: tuple[Fleet, Sandbox, dict[str, str]], postgres_url: str
) -> None:
    fleet, sandbox, env = served
    runner = spawn(_apply(fleet, postgres_url), env, fleet.folder)
    termination = _terminating(
        sandbox, lambda: _recording_backends(postgres_url, runner.pid), postgres_url
    )
    try:
        assert termination.ended.wait(timeout=300), "the apply never stored its fifth client"
        code = runner.wait(timeout=300)
    finally:
        runner.kill()
    output = (fleet.folder / "child.out").read_text()
    assert termination.found, output
    assert code == 3, output
    assert "Traceback" not in output
    assert STOP_LINE in output and "stopped before the next call" in output, output
    counts = COUNTS.search(output)
    assert counts is not None, output
    made, recorded = int(counts.group(1)), int(counts.group(2))
    assert made == sum(1 for r in sandbox.requests if r.method == "PUT"), output
    assert recorded == _records(postgres_url), output
    assert TERMINATE_AT <= made < fleet.calls and recorded < made, output


def test_a_lock_lost_while_waiting_for_approval_exits_1_and_makes_no_call(
    served: tuple[Fleet, Sandbox, dict[str, str]], postgres_url: str
) -> None:
    """The lock's connection sits idle while the question waits on a terminal; ended then (as an
    idle-session timeout would), the apply makes no call and exits 1: nothing was applied."""
    fleet, sandbox, env = served
    controller, terminal = pty.openpty()
    runner = subprocess.Popen(
        [sys.executable, "-m", "reconciler", *_apply(fleet, postgres_url, ask=True)],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
        cwd=fleet.folder,
    )
    try:
        assert runner.stdout is not None and runner.stderr is not None
        shown = b""
        while b"Enter a value" not in shown:  # the question, with the lock held
            chunk = os.read(runner.stdout.fileno(), 65536)
            assert chunk, shown.decode(errors="replace")
            shown += chunk
        backends = _lock_backends(postgres_url)
        assert len(backends) == 1
        _terminate(postgres_url, backends)
        os.write(controller, b"yes\n")
        code = runner.wait(timeout=300)
        errors = runner.stderr.read().decode()
    finally:
        runner.kill()
        os.close(terminal)
        os.close(controller)
    assert code == 1, errors
    assert STOP_LINE in errors and "stopped before the next call" in errors, errors
    assert "Apply: 0 calls made, 0 recorded" in errors, errors
    assert "Traceback" not in errors
    assert [r for r in sandbox.requests if r.method != "GET"] == []
