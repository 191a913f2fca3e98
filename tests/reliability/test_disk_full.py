"""A known state that can't be written ends an apply at once: exit 3, a message, no traceback.

The disk filling up is played by ``RLIMIT_FSIZE`` in a child ``python -m reconciler apply``
(writing past the limit fails with EFBIG, as a full disk fails with ENOSPC; it holds for root
too). A path taken by a directory plays a file that can't be replaced (EISDIR). Either way
every success up to the last durable write is recorded, and nothing that did not succeed is.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.sandbox import Sandbox
from reconciler.storage.journal import Journal
from tests.support.cli_process import API_KEY, environment, run_cli
from tests.support.many_clients import Fleet, resource_of

CLIENTS = 30
JOURNAL_LIMIT = 4096  # bytes: room for about a dozen journal lines, far from all of them


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Fleet, Sandbox, dict[str, str]]]:
    fleet = Fleet(tmp_path, CLIENTS).write()
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        yield fleet, sandbox, environment(base_url, RECONCILER_CONCURRENCY="1")


def _file_size_limit() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (JOURNAL_LIMIT, JOURNAL_LIMIT))


def _succeeded(sandbox: Sandbox) -> list[str]:
    """The resources of the calls the sandbox answered with success, in order."""
    return [
        resource_of(r.path)
        for r in sandbox.requests
        if r.method == "PUT" and (200 <= r.status < 300 or r.status == 409)
    ]


def _journaled(fleet: Fleet) -> list[str]:
    journal = Journal(fleet.state_file.with_name(fleet.state_file.name + ".journal"))
    return [entry["key"] for entry in journal.entries()]


def test_a_full_disk_mid_apply_stops_at_once_with_exit_3_and_records_exactly_the_successes(
    served: tuple[Fleet, Sandbox, dict[str, str]],
) -> None:
    fleet, sandbox, env = served
    child = subprocess.run(
        [sys.executable, "-m", "reconciler", "apply", "-f", str(fleet.desired), "--auto-approve"],
        env={**os.environ, **env},
        cwd=fleet.folder,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_file_size_limit,
    )
    assert child.returncode == 3, child.stderr
    assert "Traceback" not in child.stderr + child.stdout
    journal = fleet.state_file.with_name(fleet.state_file.name + ".journal")
    assert f"error: {journal}: cannot write: File too large" in child.stderr
    assert "The apply stopped at once" in child.stderr
    assert journal.read_bytes().endswith(b"\n")  # the line that failed was cut off again
    recorded, succeeded = _journaled(fleet), _succeeded(sandbox)
    assert 0 < len(recorded) < fleet.calls - 1
    # One call at a time: the success that could not be recorded is the last call made.
    assert succeeded == [*recorded, succeeded[-1]]
    assert f"{len(recorded)} calls succeeded and are recorded" in child.stderr

    sandbox.clear_requests()
    again = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)
    assert again.exit_code == 0, again.output
    assert fleet.converged(sandbox) == []
    assert sorted(_succeeded(sandbox)) == sorted(set(fleet.done(fleet.known())) - set(recorded))


def test_with_calls_in_parallel_only_the_calls_in_flight_go_unrecorded(
    served: tuple[Fleet, Sandbox, dict[str, str]],
) -> None:
    fleet, sandbox, env = served
    child = subprocess.run(
        [sys.executable, "-m", "reconciler", "apply", "-f", str(fleet.desired), "--auto-approve"],
        env={**os.environ, **env, "RECONCILER_CONCURRENCY": "4"},
        cwd=fleet.folder,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_file_size_limit,
    )
    assert child.returncode == 3, child.stderr
    assert "Traceback" not in child.stderr + child.stdout
    recorded, succeeded = _journaled(fleet), _succeeded(sandbox)
    assert len(set(recorded)) == len(recorded) and set(recorded) < set(succeeded)
    assert 1 <= len(succeeded) - len(recorded) <= 4  # at most one per concurrent slot
    assert len(succeeded) < fleet.calls


def test_a_state_file_that_cant_be_replaced_after_the_calls_exits_3_with_the_journal_kept(
    served: tuple[Fleet, Sandbox, dict[str, str]],
) -> None:
    fleet, sandbox, env = served
    assert run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env).exit_code == 0
    revised = Fleet(fleet.folder, CLIENTS, revision=1).write()
    backup = fleet.state_file.with_name(fleet.state_file.name + ".backup")
    backup.unlink(missing_ok=True)

    def block_the_backup(city: object) -> object:
        # A directory appears where the backup goes once the first call is answered (a
        # directory there before the apply is refused before any call): saving then fails.
        backup.mkdir(exist_ok=True)
        return city

    sandbox.rewrites = {"client.city": block_the_backup}
    sandbox.clear_requests()
    result = run_cli(["apply", "-f", str(revised.desired), "--auto-approve", "--force"], env)
    assert result.exit_code == 3, result.output
    assert f"error: {backup}: cannot write" in result.stderr
    assert "Every success of this apply is recorded in" in result.stderr
    assert f"Apply: {revised.calls} succeeded, 0 failed" in result.stdout
    assert sorted(_journaled(revised)) == sorted(_succeeded(sandbox))
    assert len(_succeeded(sandbox)) == revised.calls

    backup.rmdir()
    sandbox.rewrites = {}
    sandbox.clear_requests()
    after = run_cli(["apply", "-f", str(revised.desired), "--auto-approve"], env)
    assert after.exit_code == 0 and "No changes." in after.output
    assert sandbox.requests == []


def test_a_write_that_fails_before_any_call_exits_1(
    served: tuple[Fleet, Sandbox, dict[str, str]],
) -> None:
    fleet, sandbox, env = served
    assert run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env).exit_code == 0
    backup = fleet.state_file.with_name(fleet.state_file.name + ".backup")
    backup.unlink(missing_ok=True)
    backup.mkdir()
    sandbox.edit(lambda data: data["clients"][-1].update(city="Elsewhere"))
    sandbox.clear_requests()
    result = run_cli(["plan", "-f", str(fleet.desired), "--refresh"], env)
    assert result.exit_code == 1, result.output
    # Refused when the known state is loaded, before the refresh reads the account.
    assert f"error: {backup}: is a directory, not a regular file" in result.stderr
    assert sandbox.requests == []
    assert all(r.method == "GET" for r in sandbox.requests)
