"""An apply killed with SIGKILL at random moments loses nothing and repeats only what was in flight.

A child ``python -m reconciler apply`` works through a few hundred calls against a sandbox
served from this process, and is killed at a random point of its request stream, again and
again, before a run is let to complete. After every kill: the known state loads, every call the
sandbox answered is either recorded or was in flight (at most one per concurrent slot), and
nothing recorded is ever sent again. At the end the sandbox is exactly at the desired state.
Longer runs go round after round, each round a new revision of the clients.

Longer run by hand: ``RECONCILER_CRASH_ITERATIONS=200 pytest tests/reliability/test_crash.py``
(``RECONCILER_CRASH_CLIENTS``, ``RECONCILER_CRASH_SEED`` also apply). The same with the known
state in PostgreSQL: ``RECONCILER_CRASH_DB_ITERATIONS`` (3 by default).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from reconciler.core.known import KnownState
from reconciler.sandbox import DROPPED, Faults, Sandbox
from reconciler.storage.postgres import PostgresStore
from tests.support.cli_process import API_KEY, environment, run_cli, spawn
from tests.support.many_clients import Fleet, resource_of

KILLS = int(os.environ.get("RECONCILER_CRASH_ITERATIONS", "5"))
DATABASE_KILLS = int(os.environ.get("RECONCILER_CRASH_DB_ITERATIONS", "3"))
CLIENTS = int(os.environ.get("RECONCILER_CRASH_CLIENTS", "300"))
SEED = int(os.environ.get("RECONCILER_CRASH_SEED", "20240611"))
KILLS_PER_ROUND = 5
CONCURRENCY = 8

pytestmark = [pytest.mark.slow] if KILLS > 20 else []


def _answered_puts(sandbox: Sandbox, since: int) -> list[str]:
    """Paths of the PUTs the sandbox answered after its first ``since`` requests."""
    return [r.path for r in sandbox.requests[since:] if r.method == "PUT" and r.status != DROPPED]


def _settle(sandbox: Sandbox) -> None:
    """Wait until requests in flight at a kill are handled (and logged): the log stays still."""
    count = -1
    while count != len(sandbox.requests):
        count = len(sandbox.requests)
        time.sleep(0.1)


def _kill_after(
    child: subprocess.Popen[bytes], sandbox: Sandbox, since: int, target: int, delay: float
) -> bool:
    """SIGKILL the child once the sandbox saw ``target`` more requests; False if it ended first."""
    deadline = time.monotonic() + 60
    while len(sandbox.requests) - since < target:
        if child.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the apply made no progress"
        time.sleep(0.0005)
    time.sleep(delay)
    if child.poll() is not None:
        return False
    child.send_signal(signal.SIGKILL)
    child.wait()
    return True


def _round(
    fleet: Fleet,
    sandbox: Sandbox,
    env: dict[str, str],
    kills: int,
    rng: random.Random,
    known: Callable[[], KnownState] | None = None,
    extra: list[str] | None = None,
) -> None:
    """Kill ``kills`` applies of this revision, then let one finish; checks after each run.
    ``known`` reads the known state (by default, the fleet's file)."""
    read_known = known or fleet.known
    sent: Counter[str] = Counter()
    # --force: each later round rewrites every client, which the mass-change guard would hold.
    args = ["apply", "-f", str(fleet.desired), "--auto-approve", "--force", *(extra or [])]
    for run in range(kills + 1):
        done_before = fleet.done(read_known())
        since = len(sandbox.requests)
        child = spawn(args, env, fleet.folder)
        if run < kills:
            remaining = fleet.size + 3 - len(done_before)
            # Leave work for the kills still to come; 0 kills it while it starts up.
            target = rng.randint(0, remaining // (kills - run + 1))
            assert _kill_after(child, sandbox, since, target, rng.uniform(0, 0.01)), (
                "the apply finished before it could be killed"
            )
        else:
            assert child.wait(timeout=120) == 0, (fleet.folder / "child.out").read_text()
        _settle(sandbox)
        puts = _answered_puts(sandbox, since)
        done = fleet.done(read_known())  # the state loads after every kill
        assert not {resource_of(p) for p in puts} & done_before, "a recorded call was repeated"
        assert len(puts) == len(set(puts)), "a call was sent twice in one run"
        in_flight = [p for p in puts if resource_of(p) not in done]
        assert len(in_flight) <= CONCURRENCY, in_flight
        sent.update(puts)
    assert fleet.converged(sandbox) == []
    assert len(sent) == fleet.calls
    assert sum(sent.values()) - fleet.calls <= CONCURRENCY * kills


def test_apply_killed_at_random_moments_converges_without_repeating_calls(
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    fleet = Fleet(tmp_path, CLIENTS).write()
    sandbox = Sandbox(
        api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0, faults=Faults(latency=0.002)
    )
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url, RECONCILER_CONCURRENCY=str(CONCURRENCY))
        left = KILLS
        while True:
            kills = min(left, KILLS_PER_ROUND)
            _round(fleet, sandbox, env, kills, rng)
            left -= kills
            if left == 0:
                break
            fleet = replace(fleet, revision=fleet.revision + 1).write()
        plan = run_cli(["plan", "-f", str(fleet.desired), "--detailed-exitcode"], env)
    assert plan.exit_code == 0, plan.output
    assert "No changes." in plan.output


def test_apply_killed_at_random_moments_with_the_known_state_in_a_database(
    tmp_path: Path, postgres_url: str
) -> None:
    # The database's session lock dies with the killed runner's connection; every success it
    # committed is kept, and the next runner carries on from there.
    rng = random.Random(SEED + 1)
    fleet = Fleet(tmp_path, CLIENTS).write()
    sandbox = Sandbox(
        api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0, faults=Faults(latency=0.002)
    )

    def known() -> KnownState:
        store = PostgresStore(postgres_url, "state")
        try:
            return store.load()
        finally:
            store.close()

    with sandbox.running_in_thread() as base_url:
        env = environment(
            base_url,
            RECONCILER_CONCURRENCY=str(CONCURRENCY),
            RECONCILER_STATE_URL=postgres_url,
        )
        # A killed runner's connection may take a moment to end on the server: wait for it.
        _round(fleet, sandbox, env, DATABASE_KILLS, rng, known, ["--lock-timeout", "60"])
        plan = run_cli(["plan", "-f", str(fleet.desired), "--detailed-exitcode"], env)
    assert plan.exit_code == 0, plan.output
    assert "No changes." in plan.output
    assert not fleet.state_file.exists(), "the known state went to a file"
