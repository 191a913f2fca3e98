"""Ctrl-C: an apply says how far it got and what is recorded, a plan only that it was
interrupted; both exit 130."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler import interrupts
from reconciler.sandbox import Faults, Sandbox
from tests.support.cli_process import API_KEY, environment, spawn
from tests.support.many_clients import Fleet

INTERRUPTED = re.compile(r"interrupted after (\d+) of (\d+) calls; (\d+) recorded")


def test_ctrl_c_during_apply_says_how_many_calls_were_made_and_recorded(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, 200).write()
    sandbox = Sandbox(
        api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0, faults=Faults(latency=0.05)
    )
    args = ["apply", "-f", str(fleet.desired), "--auto-approve"]
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url, RECONCILER_CONCURRENCY="1")
        child = spawn(args, env, tmp_path)
        deadline = time.monotonic() + 120
        while len(sandbox.requests) < 5:
            assert child.poll() is None, (tmp_path / "child.out").read_text()
            assert time.monotonic() < deadline, "the apply never reached the sandbox"
            time.sleep(0.01)
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=120) == 130
    output = (tmp_path / "child.out").read_text()
    found = INTERRUPTED.search(output)
    assert found, output
    finished, total, recorded = (int(n) for n in found.groups())
    assert total == fleet.calls
    assert 0 < recorded <= finished < total
    assert "Traceback" not in output
    assert len(fleet.done(fleet.known())) == recorded


def test_ctrl_c_during_plan_says_only_that_it_was_interrupted(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, 3).write()
    text = fleet.desired.read_text().replace(f"  - id: {fleet.client_ids[0]}\n    ", "  - ")
    fleet.desired.write_text(text)  # a client found by code: the plan reads the live account
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        base_url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        child = spawn(["plan", "-f", str(fleet.desired)], environment(base_url), tmp_path)
        out = tmp_path / "child.out"
        deadline = time.monotonic() + 120
        while "Reading the live account" not in out.read_text():
            assert child.poll() is None, out.read_text()
            assert time.monotonic() < deadline, "the plan never started reading"
            time.sleep(0.01)
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=120) == 130
    output = out.read_text()
    assert output.splitlines()[-1] == "interrupted"
    assert "recorded" not in output and "Traceback" not in output


def _ignoring_both() -> None:
    """What a script's background job gets from its shell: SIGINT (and here SIGTERM) ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_run_started_with_the_signals_ignored_is_still_interrupted(
    tmp_path: Path, signum: int
) -> None:
    (tmp_path / "state.yaml").write_text("clients:\n  - code: A1\n    name: A\n")
    out = tmp_path / "child.out"
    with socket.socket() as silent, out.open("wb") as sink:  # accepts, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        env = environment(f"http://127.0.0.1:{silent.getsockname()[1]}")
        child = subprocess.Popen(
            [sys.executable, "-m", "reconciler", "plan", "-f", str(tmp_path / "state.yaml")],
            env={**os.environ, **env},
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
            preexec_fn=_ignoring_both,
        )
        deadline = time.monotonic() + 120
        while "Reading the live account" not in out.read_text():
            assert child.poll() is None, out.read_text()
            assert time.monotonic() < deadline, "the plan never started reading"
            time.sleep(0.01)
        child.send_signal(signum)
        assert child.wait(timeout=120) == 128 + signum, out.read_text()
    assert out.read_text().splitlines()[-1] == "interrupted"


@pytest.fixture
def ctrl_c_raises() -> Iterator[None]:
    """Python's Ctrl-C handler for the test, as ``interrupts.install`` sets it for a run: tests
    started as a script's background job begin with SIGINT ignored, and Python then installs
    no handler of its own (nor does asyncio.run)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("ctrl_c_raises")
def test_an_interrupt_whose_cancellation_something_inside_also_took_still_ends_as_one() -> None:
    # asyncio's Ctrl-C handler cancels the main task; when something inside cancels it too
    # (a timeout firing at that moment), asyncio.run lets the CancelledError out instead of
    # KeyboardInterrupt. run_async ends it as the interrupt it is.
    async def main() -> None:
        os.kill(os.getpid(), signal.SIGINT)
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            assert task is not None
            task.cancel()  # a second cancellation, as a timeout's would be
            raise

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(main())
    with pytest.raises(KeyboardInterrupt):
        interrupts.run_async(main())


# A run's last moment, alone in a process (a signal held back by one thread is taken by another
# where there are several): a Ctrl-C that Python can only report as ignored, meeting a
# finaliser, sets the timer that delivers it again; the timer's signal comes, held back, and
# waits while the run ends (``ignore``); then it is let through.
_DUE_AGAIN = """\
import signal, sys, time
from reconciler import interrupts

class Dropped:
    def __del__(self):
        raise KeyboardInterrupt

signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
interrupts.install()
Dropped()
while signal.SIGALRM not in signal.sigpending():
    time.sleep(0.001)
interrupts.ignore()
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})
sum(range(1000))
print("ended")
"""


def test_an_interrupt_due_again_once_the_run_is_ending_is_dropped() -> None:
    """An interrupt due again (the timer ``interrupts`` sets for one Python could only report
    as ignored) whose moment comes once the run is already ending is dropped: nothing is
    raised into the run's last lines, however late its signal is delivered."""
    ran = subprocess.run(
        [sys.executable, "-c", _DUE_AGAIN], capture_output=True, text=True, timeout=60
    )
    assert (ran.returncode, ran.stdout) == (0, "ended\n"), ran.stderr


@pytest.mark.usefixtures("ctrl_c_raises")
def test_an_interrupt_while_modules_load_comes_once_they_have_loaded() -> None:
    """Ctrl-C while a run loads the client's modules (``interrupts.held``) is not raised
    inside the import, which it would leave half done, but as soon as the block ends."""
    reached = []
    with pytest.raises(KeyboardInterrupt), interrupts.held():
        os.kill(os.getpid(), signal.SIGINT)
        reached.append(sum(range(1000)))  # Python runs the signal's handler in between
    assert reached == [499500]


def test_modules_loaded_in_another_thread_hold_nothing_back() -> None:
    """A fleet's accounts load the client in threads of their own, where no signal is handled
    and none can be held back: the block just runs."""
    ran = []

    def load() -> None:
        with interrupts.held():
            ran.append(signal.getsignal(signal.SIGINT))

    worker = threading.Thread(target=load)
    worker.start()
    worker.join()
    assert ran == [signal.getsignal(signal.SIGINT)]
