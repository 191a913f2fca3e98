"""A fleet's text output streams: each account's section is printed as the account ends, while
the others are still running."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
from pathlib import Path

from tests.support.fleet_accounts import make_accounts, serving


def test_a_finished_accounts_section_is_printed_while_another_is_still_applying(
    tmp_path: Path,
) -> None:
    accounts = make_accounts(tmp_path, ("lisboa", "porto"))
    lisboa, porto = accounts
    release = threading.Event()

    def held(value: object) -> object:
        release.wait()  # porto's sandbox answers no write until the test says
        return value

    porto.sandbox.rewrites = {"client.city": held}
    with serving(accounts) as env:
        child = subprocess.Popen(
            [sys.executable, "-m", "reconciler", "apply", "-f", "accounts", "--auto-approve"],
            env={**os.environ, **env},
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            seen = _until_section(child, "lisboa")
            # lisboa's section, report included, is out; porto still waits on its sandbox.
            assert b"== porto (" not in seen, seen.decode()
            assert b"Fleet:" not in seen
            release.set()
            rest, _ = child.communicate(timeout=300)
        finally:
            release.set()
            child.kill()
            child.wait()
    output = (seen + rest).decode()
    assert child.returncode == 0, output
    assert output.index("== lisboa (") < output.index("== porto (") < output.index("Fleet:")
    assert porto.shape.converged(porto.sandbox) == []
    assert lisboa.shape.converged(lisboa.sandbox) == []


def _until_section(child: subprocess.Popen[bytes], name: str) -> bytes:
    """The child's output up to the report of ``name``'s section (or its end)."""
    assert child.stdout is not None
    seen = b""
    heading = f"== {name} (".encode()
    while b"Fleet:" not in seen and not (heading in seen and b"Apply:" in seen):
        ready, _, _ = select.select([child.stdout], [], [], 120)
        assert ready, "no section came: " + seen.decode()
        chunk = os.read(child.stdout.fileno(), 65536)
        assert chunk, seen.decode()
        seen += chunk
    return seen
