"""One apply at a time: a second apply fails fast naming the holder; dead holders are detected."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.errors import LockHeld
from reconciler.sandbox import Faults, Sandbox
from reconciler.storage.lock import StateLock
from tests.support.cli_process import API_KEY, environment, run_cli, spawn
from tests.support.lock_holder import hold_lock, kill
from tests.support.many_clients import Fleet


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    child = hold_lock(tmp_path / ".reconciler" / "state.state.json")
    yield child
    child.kill()
    child.wait()


def test_a_second_concurrent_apply_fails_fast_naming_the_first(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, 10).write()
    # One call at a time, each answered slowly: the first apply holds the lock for a while.
    sandbox = Sandbox(
        api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0, faults=Faults(latency=0.05)
    )
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url, RECONCILER_CONCURRENCY="1")
        args = ["apply", "-f", str(fleet.desired), "--auto-approve"]
        first = spawn(args, env, tmp_path)
        while not sandbox.requests:
            assert first.poll() is None, (tmp_path / "child.out").read_text()
            time.sleep(0.01)
        second = run_cli(args, env)
        assert first.poll() is None, "the first apply should still be running"
        assert first.wait(timeout=60) == 0
    assert second.exit_code == 1
    assert "another apply holds the lock" in second.stderr
    assert f"pid {first.pid} on {socket.gethostname()}" in second.stderr
    assert "reconciler apply -f" in second.stderr
    assert "force-unlock" in second.stderr
    # Only the first apply's calls reached the sandbox, each once, and they converged.
    puts = Counter(r.path for r in sandbox.requests if r.method == "PUT")
    assert len(puts) == fleet.calls and set(puts.values()) == {1}
    assert fleet.converged(sandbox) == []


def test_plan_does_not_need_the_lock(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    fleet = Fleet(tmp_path, 2).write()
    result = run_cli(["plan", "-f", str(fleet.desired)], environment("http://127.0.0.1:9"))
    assert result.exit_code == 0, result.output
    assert "Plan: 5 calls" in result.stdout


def test_a_lock_left_by_a_killed_apply_is_detected_and_taken_over(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, 3).write()
    child = hold_lock(fleet.state_file)
    kill(child)
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        result = run_cli(
            ["apply", "-f", str(fleet.desired), "--auto-approve"], environment(base_url)
        )
    assert result.exit_code == 0, result.output
    assert f"note: the previous apply (pid {child.pid} on" in result.stderr
    assert "ended without releasing its lock" in result.stderr
    assert fleet.converged(sandbox) == []
    assert not StateLock(fleet.state_file).info_path.exists()


def test_force_unlock_refuses_while_the_holder_runs_and_cleans_up_after_it(
    tmp_path: Path,
) -> None:
    fleet = Fleet(tmp_path, 1).write()
    args = ["force-unlock", "-f", str(fleet.desired)]
    assert "nothing to do" in run_cli(args, {}).stdout
    child = hold_lock(fleet.state_file)
    try:
        refused = run_cli(args, {})
    finally:
        kill(child)
    assert refused.exit_code == 1
    assert f"pid {child.pid}" in refused.stderr and "still running" in refused.stderr
    done = run_cli(args, {})
    assert done.exit_code == 0
    assert f"removed the lock left by pid {child.pid}" in done.stdout
    assert not StateLock(fleet.state_file).info_path.exists()


def test_soft_lock_of_a_dead_process_is_broken_and_of_a_live_one_is_not(tmp_path: Path) -> None:
    state = tmp_path / "s.json"
    lock = StateLock(state, soft=True)
    child = hold_lock(state, soft=True)
    try:
        with pytest.raises(LockHeld, match=f"pid {child.pid}"), lock.held("reconciler apply"):
            pass
        with pytest.raises(LockHeld, match="still running"):
            lock.force_unlock()
    finally:
        kill(child)
    assert lock.lock_path.exists(), "a killed process leaves a soft lock's marker behind"
    with lock.held("reconciler apply") as left_behind:
        assert left_behind is not None and left_behind.pid == child.pid
        assert lock.lock_path.exists()
    with lock.held("reconciler apply") as left_behind:
        assert left_behind is None


def test_force_unlock_removes_a_soft_lock_whose_owner_is_unknown(tmp_path: Path) -> None:
    lock = StateLock(tmp_path / "s.json", soft=True)
    lock.lock_path.write_text("")
    assert "owner is unknown" in lock.force_unlock()
    assert not lock.lock_path.exists()


def test_lock_files_are_private(tmp_path: Path) -> None:
    lock = StateLock(tmp_path / "s.json")
    with lock.held("reconciler apply"):
        assert os.stat(lock.info_path).st_mode & 0o777 == 0o600
        assert os.stat(lock.lock_path).st_mode & 0o077 == 0


@pytest.mark.parametrize(
    "args", [["refresh"], ["plan", "--refresh"], ["apply", "--auto-approve"], ["import"]]
)
def test_every_command_that_writes_the_state_takes_the_lock(
    tmp_path: Path, holder: subprocess.Popen[str], args: list[str]
) -> None:
    fleet = Fleet(tmp_path, 1).write()
    before = fleet.desired.read_bytes()
    result = run_cli([*args, "-f", str(fleet.desired)], environment("http://127.0.0.1:9"))
    assert result.exit_code == 1, result.output
    assert f"pid {holder.pid}" in result.stderr
    assert fleet.desired.read_bytes() == before
    assert not fleet.state_file.exists()
