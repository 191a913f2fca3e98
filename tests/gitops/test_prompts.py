"""apply's question on a terminal: only ``yes`` applies; Ctrl-C or end of input there ends the
run as an interrupt does (one line, exit 130), never click's ``Aborted!``."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.support.cli_env import Env
from tests.support.live_output import PROMPT, Output


@contextmanager
def apply_on_a_terminal(env: Env, *flags: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """``reconciler apply`` with a terminal as stdin; yields it and the terminal's other end."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "apply", "-f", str(env.desired), *flags],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env.child_environment(),
    )
    try:
        yield process, controller
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        os.close(terminal)
        os.close(controller)


@pytest.mark.parametrize("how", ["ctrl-c", "end of input"])
def test_an_interrupt_at_the_question_exits_130_with_one_line(env: Env, how: str) -> None:
    with apply_on_a_terminal(env) as (process, controller):
        output = Output(process)
        output.wait_for(PROMPT)
        if how == "ctrl-c":
            process.send_signal(signal.SIGINT)
        else:
            os.write(controller, b"\x04")  # Ctrl-D at the start of a line: end of input
        output.finished()
        assert process.stderr is not None
        stderr = process.stderr.read().decode()
        assert process.wait() == 130, stderr
    assert stderr.splitlines()[-1] == "interrupted", stderr
    assert "Aborted" not in stderr + output.text
    assert env.calls() == []
    # The lock was released: an apply right after goes ahead.
    again = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize("answer", [b"yes \n", b" yes\n", b"Yes\n", b"YES\n", b"yes yes\n"])
def test_only_yes_exactly_applies(env: Env, answer: bytes) -> None:
    with apply_on_a_terminal(env, "--refresh", "--target", "client:42") as (process, controller):
        output = Output(process)
        output.wait_for(PROMPT)
        os.write(controller, answer)
        output.finished()
        assert process.stderr is not None
        stderr = process.stderr.read().decode()
        assert process.wait() == 1, stderr
    assert "Apply cancelled; nothing applied." in stderr
    assert [call for call in env.calls() if call[0] != "GET"] == []
