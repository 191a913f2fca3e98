"""A fleet apply on a terminal shows a bar per account in progress (its name and calls done of
its total) instead of a line per call; off a terminal, one line per finished call remains."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from tests.support.cli_process import run_cli
from tests.support.fleet_accounts import make_accounts, serving

NAMES = ("lisboa", "porto")
# Cursor movements, erasures and colours: what a terminal acts on rather than shows.
CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _screen_lines(folder: Path, env: dict[str, str]) -> tuple[int, list[str]]:
    """``apply --auto-approve`` of the folder with a terminal as stdin, stdout and stderr: its
    exit code and every line it drew, control sequences taken out."""
    controller, terminal = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "apply", "-f", str(folder), "--auto-approve"],
        env={**os.environ, **env, "TERM": "xterm", "COLUMNS": "120", "PYTHONIOENCODING": "utf-8"},
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
    )
    os.close(terminal)
    drawn = b""
    try:
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the child closed the terminal: it ended
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(controller)
    code = child.wait(timeout=120)
    text = CONTROL.sub("", drawn.decode("utf-8", "replace"))
    return code, [line.strip() for line in re.split(r"[\r\n]+", text) if line.strip()]


def test_on_a_terminal_each_account_in_progress_has_a_bar(tmp_path: Path) -> None:
    accounts = make_accounts(tmp_path, NAMES, clients=5)
    with serving(accounts) as env:
        code, lines = _screen_lines(tmp_path / "accounts", env)
    assert code == 0, lines
    for account in accounts:
        total = account.shape.calls
        bars = [line for line in lines if re.match(rf"{account.name} +━* +\d+/{total}\b", line)]
        assert bars, lines
        assert any(re.search(rf" {total}/{total}\b", line) for line in bars), lines
        # The bar stands in for the line per call.
        assert not any(line.startswith(f"{account.name}: succeeded:") for line in lines), lines
        assert f"== {account.name} (" in "\n".join(lines)


def test_off_a_terminal_each_finished_call_has_a_line_naming_its_account(tmp_path: Path) -> None:
    accounts = make_accounts(tmp_path, NAMES, clients=5)
    with serving(accounts) as env:
        result = run_cli(["apply", "-f", str(tmp_path / "accounts"), "--auto-approve"], env)
    assert result.exit_code == 0, result.output
    for account in accounts:
        done = [line for line in result.stderr.splitlines() if line.startswith(account.name)]
        assert len(done) == account.shape.calls, result.stderr
        assert all(line.startswith(f"{account.name}: succeeded: ") for line in done), done
        assert "━" not in result.stderr
