"""Whatever is wrong with a file, or whenever the run is interrupted: one line, never a traceback.

Every case runs ``python -m reconciler`` as a child process, as a user would: a FIFO would
block a test run in-process for ever, and a signal must reach a real process. The timeout
given to each child only stops a hung run from hanging the test suite; nothing is timed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from reconciler.sandbox import Faults, Sandbox
from tests.support.cli_process import API_KEY, environment
from tests.support.many_clients import Fleet

HANG_GUARD = 120  # seconds; a run that takes this long is hung, not slow


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str


def _run(args: list[str], env: dict[str, str], folder: Path) -> Ran:
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", *args],
        env={**os.environ, **env},
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def _one_line(ran: Ran, *names: object) -> str:
    """The run failed with exit 1 and one line on stderr naming each of ``names``."""
    assert "Traceback" not in ran.stderr, ran.stderr
    assert ran.code == 1, ran.stderr
    lines = ran.stderr.strip().splitlines()
    if lines[0] == "error: 1 problem found:":  # a problem in the desired file, at file:line:col
        lines = lines[1:]
    assert len(lines) == 1, ran.stderr
    for name in names:
        assert str(name) in lines[0], ran.stderr
    return lines[0]


@pytest.fixture
def fleet(tmp_path: Path) -> Fleet:
    return Fleet(tmp_path, 2).write()


@pytest.fixture
def applied(fleet: Fleet) -> Iterator[tuple[Fleet, dict[str, str]]]:
    """The fleet applied once; a change is pending; the sandbox keeps running."""
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url)
        ran = _run(["apply", "-f", str(fleet.desired), "--auto-approve"], env, fleet.folder)
        assert ran.code == 0, ran.stderr
        Fleet(fleet.folder, 2, 1).write()
        yield fleet, env


OFFLINE = environment("http://127.0.0.1:9")  # never reached


# --- the desired file ---------------------------------------------------------------------


def test_a_number_too_long_to_convert_is_a_problem_at_its_place(tmp_path: Path) -> None:
    desired = tmp_path / "state.yaml"
    desired.write_text(f"account:\n  id: {'1' * 4301}\n  city: {'2' * 5000}\n", "utf-8")
    ran = _run(["validate", "-f", str(desired)], OFFLINE, tmp_path)
    assert ran.code == 1, ran.stderr
    assert "Traceback" not in ran.stderr
    assert f"{desired}:2:7: account.id: is too large (4301 digits; at most 19)" in ran.stderr


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\ud83d\\ude00", "\\U0000d800"])
def test_a_surrogate_escape_is_a_problem_at_its_place(tmp_path: Path, escape: str) -> None:
    desired = tmp_path / "state.yaml"
    desired.write_text(f'account:\n  id: 1\n  city: "Porto{escape}"\n', "utf-8")
    ran = _run(["validate", "-f", str(desired)], OFFLINE, tmp_path)
    assert ran.code == 1, ran.stderr
    assert "Traceback" not in ran.stderr
    assert f"{desired}:3:9: account.city:" in ran.stderr
    assert "surrogate" in ran.stderr


@pytest.mark.parametrize("command", [["validate"], ["plan"]])
def test_a_fifo_as_the_desired_file_is_refused_without_blocking(
    tmp_path: Path, command: list[str]
) -> None:
    desired = tmp_path / "state.yaml"
    os.mkfifo(desired)
    ran = _run([*command, "-f", str(desired)], OFFLINE, tmp_path)
    assert "not a regular file" in _one_line(ran, desired)


def test_a_fifo_as_the_state_file_is_refused_without_blocking(fleet: Fleet) -> None:
    fleet.state_file.parent.mkdir()
    os.mkfifo(fleet.state_file)
    ran = _run(["plan", "-f", str(fleet.desired)], OFFLINE, fleet.folder)
    assert "not a regular file" in _one_line(ran, fleet.state_file)


def test_a_fifo_as_the_settings_file_is_refused_without_blocking(fleet: Fleet) -> None:
    os.mkfifo(fleet.folder / ".env")
    ran = _run(["plan", "-f", str(fleet.desired), "--env-file", ".env"], OFFLINE, fleet.folder)
    assert "not a regular file" in _one_line(ran, ".env")


def test_a_settings_file_that_is_not_utf8_is_refused(fleet: Fleet) -> None:
    env_file = fleet.folder / "bad.env"
    env_file.write_bytes(b"RECONCILER_CONCURRENCY=2\nX=caf\xe9\n")
    ran = _run(
        ["plan", "-f", str(fleet.desired), "--env-file", str(env_file)], OFFLINE, fleet.folder
    )
    assert "UTF-8" in _one_line(ran, env_file)


# --- the known state, its companions and saved plans --------------------------------------

COMPANIONS = ["", ".journal", ".backup", ".lock", ".lock.info"]


@pytest.mark.parametrize("suffix", COMPANIONS)
def test_a_directory_where_a_state_file_belongs_is_refused_before_any_call(
    applied: tuple[Fleet, dict[str, str]], suffix: str
) -> None:
    fleet, env = applied
    where = fleet.state_file.with_name(fleet.state_file.name + suffix)
    if where.exists():
        where.unlink()
    where.mkdir()
    ran = _run(["apply", "-f", str(fleet.desired), "--auto-approve"], env, fleet.folder)
    assert "directory" in _one_line(ran, where)


def test_a_state_folder_that_cannot_be_created_is_named(fleet: Fleet) -> None:
    blocker = fleet.folder / "not-a-folder"
    blocker.write_text("a regular file\n", "utf-8")
    state = blocker / "state.json"
    ran = _run(
        ["apply", "-f", str(fleet.desired), "--state", str(state), "--auto-approve"],
        OFFLINE,
        fleet.folder,
    )
    assert "not a folder" in _one_line(ran, blocker)


HOSTILE_JSON = {
    "deeply nested": b"[" * 100_000 + b"]" * 100_000,
    "huge number": b'{"format_version": ' + b"7" * 5000 + b"}",
    "huge number deep inside": b'{"a": [[[' + b"9" * 5000 + b"]]]}",
    "lone surrogate": b'{"format_version": 1, "x": "\\ud800"}',
}


@pytest.mark.parametrize("case", HOSTILE_JSON)
def test_hostile_json_in_the_state_file_is_refused(fleet: Fleet, case: str) -> None:
    fleet.state_file.parent.mkdir()
    fleet.state_file.write_bytes(HOSTILE_JSON[case])
    ran = _run(["plan", "-f", str(fleet.desired)], OFFLINE, fleet.folder)
    _one_line(ran, fleet.state_file)


@pytest.mark.parametrize("case", HOSTILE_JSON)
def test_hostile_json_in_the_journal_is_refused(fleet: Fleet, case: str) -> None:
    fleet.state_file.parent.mkdir()
    journal = fleet.state_file.with_name(fleet.state_file.name + ".journal")
    journal.write_bytes(HOSTILE_JSON[case] + b"\n")
    ran = _run(["plan", "-f", str(fleet.desired)], OFFLINE, fleet.folder)
    _one_line(ran, journal)


@pytest.mark.parametrize("case", HOSTILE_JSON)
def test_hostile_json_as_a_saved_plan_is_refused(tmp_path: Path, case: str) -> None:
    plan = tmp_path / "plan.json"
    plan.write_bytes(HOSTILE_JSON[case])
    ran = _run(["apply", str(plan), "--auto-approve"], OFFLINE, tmp_path)
    _one_line(ran, plan)


def test_a_fifo_as_a_saved_plan_is_refused_without_blocking(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    os.mkfifo(plan)
    ran = _run(["apply", str(plan), "--auto-approve"], OFFLINE, tmp_path)
    assert "not a regular file" in _one_line(ran, plan)


# --- interruptions -------------------------------------------------------------------------


def _wait_for(condition: object, child: subprocess.Popen[str]) -> None:
    while not condition():  # type: ignore[operator]
        assert child.poll() is None, child.communicate(timeout=HANG_GUARD)
        time.sleep(0.01)


def _interrupted(child: subprocess.Popen[str], signum: int) -> Ran:
    child.send_signal(signum)
    stdout, stderr = child.communicate(timeout=HANG_GUARD)
    return Ran(child.returncode, stdout, stderr)


def _spawn(args: list[str], env: dict[str, str], folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "reconciler", *args],
        env={**os.environ, **env},
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_apply_interrupted_mid_call_ends_with_one_line_and_releases_its_lock(
    fleet: Fleet, signum: int
) -> None:
    sandbox = Sandbox(
        api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0, faults=Faults(latency=0.5)
    )
    info = fleet.state_file.with_name(fleet.state_file.name + ".lock.info")
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url, RECONCILER_CONCURRENCY="1")
        child = _spawn(["apply", "-f", str(fleet.desired), "--auto-approve"], env, fleet.folder)
        _wait_for(lambda: info.exists() and sandbox.requests, child)
        ran = _interrupted(child, signum)
    assert "Traceback" not in ran.stderr, ran.stderr
    assert ran.code == 128 + signum, ran.stderr
    assert ran.stderr.strip().splitlines()[-1].startswith("interrupted"), ran.stderr
    assert not info.exists()


def _maps(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return ""


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("library", ["_json", "_pydantic_core", "_ssl"])
def test_an_interrupt_while_starting_up_ends_with_at_most_one_line(
    tmp_path: Path, signum: int, library: str
) -> None:
    """Interrupted while the package is still being imported (once ``library`` is loaded)."""
    desired = tmp_path / "state.yaml"
    desired.write_text("account:\n  id: 1\n", "utf-8")
    child = _spawn(["validate", "-f", str(desired)], OFFLINE, tmp_path)
    _wait_for(lambda: library in _maps(child.pid) or child.poll() is not None, child)
    ran = _interrupted(child, signum)
    assert "Traceback" not in ran.stderr, ran.stderr
    assert len(ran.stderr.strip().splitlines()) <= 1, ran.stderr
    if ran.code != 0:  # it may have finished before the signal came
        # Once an interrupt has passed through code an extension module runs while it loads
        # (``_ssl``'s, say), CPython ends the process by SIGINT at exit even though the
        # interrupt was handled: a shell then reads 130 too, after the same one line.
        assert ran.code in (128 + signum, -signal.SIGINT), ran.stderr
