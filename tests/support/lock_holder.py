"""A child process holding a known state's lock, as another apply would, until it is killed."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

HOLD = """
import sys, time
from pathlib import Path
from reconciler.storage.lock import StateLock
with StateLock(Path(sys.argv[1]), soft=sys.argv[2] == "soft").held("reconciler apply -f held.yaml"):
    print("held", flush=True)
    time.sleep(120)
"""


def hold_lock(state: Path, soft: bool = False) -> subprocess.Popen[str]:
    """A child process holding the lock of ``state`` until killed; returns once it holds it."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(state), "soft" if soft else "os"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline() == "held\n"
    return child


def kill(child: subprocess.Popen[str]) -> None:
    """Kill ``child`` as a crash would (SIGKILL: nothing is cleaned up) and reap it."""
    child.send_signal(signal.SIGKILL)
    child.wait()
