"""``show PLANFILE`` reads the desired file the plan names as ``apply`` does: a regular file,
bounded, a FIFO refused before it is opened. Each case runs ``python -m reconciler`` as a
child process, since a FIFO read in-process would hang the test run; the child's timeout only
guards against that hang, nothing is timed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.desired.loader import MAX_FILE_BYTES
from tests.support.cli_process import environment
from tests.support.many_clients import Fleet

HANG_GUARD = 120  # seconds; a run that takes this long is hung, not slow
OFFLINE = environment("http://127.0.0.1:9")  # never reached


def _make_fifo(path: Path) -> None:
    os.mkfifo(path)


def _make_device(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _make_directory(path: Path) -> None:
    path.mkdir()


def _make_outward_symlink(path: Path) -> None:
    outside = path.parent.parent / f"{path.parent.name}-outside.yaml"
    outside.write_text("account:\n  id: 1\n", "utf-8")
    path.symlink_to(outside)


def _make_too_large(path: Path) -> None:
    with path.open("wb") as handle:  # sparse: its size is all that is read
        handle.truncate(MAX_FILE_BYTES + 1)


SWAPS: dict[str, Callable[[Path], None]] = {
    "a FIFO": _make_fifo,
    "/dev/zero": _make_device,
    "a directory": _make_directory,
    "a file over the size limit": _make_too_large,
    "a symlink out of its folder": _make_outward_symlink,
}
WHY = {
    "a file over the size limit": f"is larger than {MAX_FILE_BYTES // 2**20} MiB",
    "a symlink out of its folder": "a symlink leading outside the folder it is in",
}
# The device is reached through a symlink, which apply follows only when the operator allows it.
ALLOW_SYMLINKS = {"/dev/zero": {"RECONCILER_ALLOW_SYMLINKS": "1"}}


@pytest.mark.parametrize("swap", SWAPS)
def test_show_refuses_a_desired_file_that_apply_would_refuse(tmp_path: Path, swap: str) -> None:
    fleet = Fleet(tmp_path, 2).write()
    plan = tmp_path / "plan.json"
    saved = _run(["plan", "-f", str(fleet.desired), "--out", str(plan)], tmp_path)
    assert saved.returncode == 0, saved.stderr
    fleet.desired.unlink()
    SWAPS[swap](fleet.desired)

    shown = _run(["show", str(plan)], tmp_path, ALLOW_SYMLINKS.get(swap, {}))

    assert "Traceback" not in shown.stderr, shown.stderr
    assert shown.returncode == 1, shown.stdout + shown.stderr
    lines = shown.stderr.strip().splitlines()
    assert len(lines) == 1, shown.stderr
    assert str(fleet.desired) in lines[0]
    assert WHY.get(swap, "not a regular file") in lines[0]
    # apply refuses the plan's desired file for the same reason.
    applied = _run(["apply", str(plan), "--auto-approve"], tmp_path, ALLOW_SYMLINKS.get(swap, {}))
    assert applied.returncode == 1, applied.stderr
    assert WHY.get(swap, "not a regular file") in applied.stderr


def _run(
    args: list[str], folder: Path, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reconciler", *args],
        env={**os.environ, **OFFLINE, **(extra or {})},
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
