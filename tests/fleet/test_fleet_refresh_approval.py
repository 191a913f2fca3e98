"""A fleet's ``refresh`` reads every account's drift without writing, shows it, and asks once
for the whole fleet on a terminal (only ``yes`` writes); ``--auto-approve`` writes without
asking; off a terminal without it nothing is written. An account whose known state changed
between the read and the write is reported and keeps its newer records."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli_process import run_cli
from tests.support.fleet_accounts import Account, headings, make_accounts, serving
from tests.support.live_output import PROMPT, Output
from tests.support.many_clients import FIRST_CLIENT

NAMES = ("lisboa", "porto")


def _drifted(tmp_path: Path) -> tuple[list[Account], str]:
    """Two accounts, each with two clients, and the folder of their files."""
    accounts = make_accounts(tmp_path, NAMES, clients=2)
    return accounts, str(tmp_path / "accounts")


def _edit_city(account: Account) -> None:
    def edit(data: dict[str, Any]) -> None:
        next(c for c in data["clients"] if c["id"] == FIRST_CLIENT).update(city="Braga")

    account.sandbox.edit(edit)


def _states(accounts: list[Account]) -> list[bytes]:
    return [account.state_file().read_bytes() for account in accounts]


def _applied_then_edited(accounts: list[Account], folder: str, env: dict[str, str]) -> list[bytes]:
    """Apply the fleet, edit a client of each account on the live account, and give the known
    states as they were before any refresh."""
    assert run_cli(["apply", "-f", folder, "--auto-approve"], env).exit_code == 0
    for account in accounts:
        _edit_city(account)
    return _states(accounts)


@dataclass
class Asked:
    """A refresh run on a terminal: its output, the terminal's other end, its exit code."""

    output: Output
    controller: int
    returncode: int | None = None


@contextmanager
def _refresh_on_a_terminal(folder: str, env: dict[str, str], *extra: str) -> Iterator[Asked]:
    """``reconciler refresh -f folder`` with a terminal as stdin; its output and the terminal."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "refresh", "-f", folder, *extra],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **env},
    )
    asked = Asked(Output(process), controller)
    try:
        yield asked
        asked.returncode = process.wait(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        assert process.stdout is not None
        process.stdout.close()
        os.close(terminal)
        os.close(controller)


def test_off_a_terminal_the_fleet_reports_drift_and_writes_nothing(tmp_path: Path) -> None:
    accounts, folder = _drifted(tmp_path)
    with serving(accounts) as env:
        before = _applied_then_edited(accounts, folder, env)
        for _ in range(2):  # the second still sees the drift: nothing was folded in
            result = run_cli(["refresh", "-f", folder, "--detailed-exitcode"], env)
            assert result.exit_code == 2, result.output
            assert sorted(headings(result.stdout)) == sorted(NAMES)
            assert result.stdout.count("Refresh would write") == 2, result.stdout
            assert "nothing written" in result.stderr and "--auto-approve" in result.stderr
        plain = run_cli(["refresh", "-f", folder], env)
    assert plain.exit_code == 0, plain.output
    assert _states(accounts) == before


def test_auto_approve_writes_every_accounts_live_values(tmp_path: Path) -> None:
    accounts, folder = _drifted(tmp_path)
    with serving(accounts) as env:
        before = _applied_then_edited(accounts, folder, env)
        written = run_cli(["refresh", "-f", folder, "--auto-approve", "--detailed-exitcode"], env)
        again = run_cli(["refresh", "-f", folder, "--detailed-exitcode"], env)
    assert written.exit_code == 2, written.output
    assert all(a != b for a, b in zip(_states(accounts), before, strict=True))
    assert again.exit_code == 0, again.output
    assert "would write" not in again.stdout


@pytest.mark.parametrize("answer", [b"no\n", b"y\n", b"\n"])
def test_on_a_terminal_anything_but_yes_writes_nothing(tmp_path: Path, answer: bytes) -> None:
    accounts, folder = _drifted(tmp_path)
    with serving(accounts) as env:
        before = _applied_then_edited(accounts, folder, env)
        with _refresh_on_a_terminal(folder, env) as asked:
            asked.output.wait_for(PROMPT)
            assert "known state of 2 accounts? Only 'yes'" in asked.output.text, asked.output.text
            os.write(asked.controller, answer)
            text = asked.output.finished()
    assert asked.returncode == 1, text
    assert "Refresh cancelled; nothing written." in text
    assert _states(accounts) == before


def test_on_a_terminal_yes_writes_each_account_and_one_changed_meanwhile_is_reported(
    tmp_path: Path,
) -> None:
    accounts, folder = _drifted(tmp_path)
    lisboa, porto = accounts
    with serving(accounts) as env:
        before = _applied_then_edited(accounts, folder, env)
        with _refresh_on_a_terminal(folder, env) as asked:
            asked.output.wait_for(PROMPT)
            # lisboa's known state changes while the question waits: its read is stale.
            own = {
                "INVOICEXPRESS_BASE_URL": lisboa.base_url,
                "INVOICEXPRESS_API_KEY": lisboa.api_key,
            }
            alone = run_cli(["refresh", "-f", str(lisboa.file), "--auto-approve"], env | own)
            assert alone.exit_code == 0, alone.output
            meanwhile = lisboa.state_file().read_bytes()
            os.write(asked.controller, b"yes\n")
            text = asked.output.finished()
        again = run_cli(["refresh", "-f", folder, "--detailed-exitcode"], env)
    assert asked.returncode == 1, text
    assert "error: lisboa: the known state changed since it was read" in text, text
    assert "porto: known state updated." in text, text
    assert lisboa.state_file().read_bytes() == meanwhile
    assert porto.state_file().read_bytes() != before[1]
    assert again.exit_code == 0, again.output


def test_end_of_input_at_the_question_writes_nothing_and_exits_130(tmp_path: Path) -> None:
    accounts, folder = _drifted(tmp_path)
    with serving(accounts) as env:
        before = _applied_then_edited(accounts, folder, env)
        with _refresh_on_a_terminal(folder, env) as asked:
            asked.output.wait_for(PROMPT)
            os.write(asked.controller, b"\x04")  # Ctrl-D at the start of a line: end of input
            text = asked.output.finished()
    assert asked.returncode == 130, text
    assert text.rstrip().endswith("interrupted") and "Aborted" not in text, text
    assert _states(accounts) == before


def test_with_the_known_state_in_postgresql_yes_writes_every_account(
    tmp_path: Path, postgres_url: str
) -> None:
    accounts, folder = _drifted(tmp_path)
    database = ["--state-url", postgres_url]
    with serving(accounts) as env:
        applied = run_cli(["apply", "-f", folder, "--auto-approve", *database], env)
        assert applied.exit_code == 0, applied.output
        for account in accounts:
            _edit_city(account)
        unwritten = run_cli(["refresh", "-f", folder, "--detailed-exitcode", *database], env)
        assert unwritten.exit_code == 2, unwritten.output
        with _refresh_on_a_terminal(folder, env, *database) as asked:
            asked.output.wait_for(PROMPT)
            os.write(asked.controller, b"yes\n")
            text = asked.output.finished()
        again = run_cli(["refresh", "-f", folder, "--detailed-exitcode", *database], env)
    assert asked.returncode == 0, text
    assert text.count(": known state updated.") == 2, text
    assert again.exit_code == 0, again.output
