"""Every command line of the README's Usage section, run as written against the sandbox.

The fenced block under ``## Usage`` is read from the README itself, so a command documented
there that stops working as written fails this test. Each line runs in README order in one
folder, as a new user would type them, as the installed ``reconciler`` with a terminal on its
standard input (``yes`` typed for the lines that ask), and against a sandbox on loopback whose
address and key are the only settings given. The lines whose comment says the known state is
in PostgreSQL set ``RECONCILER_STATE_URL`` to one new database of a real server, kept for the
lines after them as a variable exported in the same shell would be (they are the only lines
left out when the run skips PostgreSQL). The one
that starts a server (``reconciler sandbox --port 8080``) gets a free port instead, and passes
once that server answers.
"""

from __future__ import annotations

import os
import pty
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from reconciler.sandbox import Sandbox
from reconciler.sandbox.demo import demo_data
from tests.support.cli_env import ROOT
from tests.support.postgres import PostgresServer

RECONCILER = Path(sys.executable).with_name("reconciler")
API_KEY = "usage-SENTINEL-key"
AT_PASSWORD = "usage-SENT-at"  # 8 to 14 characters, as the AT wants
MINIMAL = ROOT / "examples" / "minimal.yaml"
WAIT = 120  # seconds a command may take on a loaded machine before it counts as hung


@dataclass(frozen=True)
class Line:
    """One documented command line: its words after ``reconciler`` and its comment."""

    text: str
    words: tuple[str, ...]
    comment: str
    assignments: tuple[tuple[str, str], ...] = ()
    """Variables set for the command alone, as ``NAME=value reconciler ...`` writes them."""

    @property
    def needs_database(self) -> bool:
        return "RECONCILER_STATE_URL" in self.comment

    @property
    def allowed_exits(self) -> set[int]:
        return {0, 2} if "--detailed-exitcode" in self.words else {0}


def usage_lines(readme: str) -> list[Line]:
    """The ``reconciler ...`` lines of the first fenced block after ``## Usage``."""
    section = readme.split("\n## Usage\n", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "no fenced block under ## Usage"
    lines = []
    for raw in block.group(1).splitlines():
        words = shlex.split(raw, comments=True)
        comment = raw.partition(" #")[2]
        assignments = []
        while re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
            name, _, value = words.pop(0).partition("=")
            assignments.append((name, value))
        assert words[0] == "reconciler", raw
        lines.append(Line(raw, tuple(words[1:]), comment.strip(), tuple(assignments)))
    return lines


def _folder(tmp_path: Path) -> Path:
    """The files the lines name: the example desired file, two files to validate, a fleet."""
    shutil.copy(ROOT / "state.example.yaml", tmp_path / "state.yaml")
    for name in ("a.yaml", "b.yaml", "accounts/lisboa.yaml", "accounts/porto.yaml"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(MINIMAL, tmp_path / name)
    return tmp_path


def _environment(base_url: str) -> dict[str, str]:
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    return {
        **keep,
        "INVOICEXPRESS_BASE_URL": base_url,
        "INVOICEXPRESS_API_KEY": API_KEY,
        "AT_PASSWORD": AT_PASSWORD,
        "RECONCILER_RATE_LIMIT": "0",
        "NO_COLOR": "1",
    }


def _run(
    words: tuple[str, ...], folder: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run ``reconciler WORDS`` with a terminal as its standard input, ``yes`` typed ahead."""
    typist, terminal = pty.openpty()
    try:
        os.write(typist, b"yes\n")
        return subprocess.run(
            [str(RECONCILER), *words],
            cwd=folder,
            env=env,
            stdin=terminal,
            capture_output=True,
            text=True,
            timeout=WAIT,
            check=False,
        )
    finally:
        os.close(typist)
        os.close(terminal)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serves(words: tuple[str, ...], folder: Path, env: dict[str, str]) -> None:
    """Start the documented server on a free port and wait until it answers as the sandbox."""
    port = _free_port()
    words = tuple(str(port) if word == "8080" else word for word in words)
    server = subprocess.Popen(
        [str(RECONCILER), *words],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/clients/42.json?api_key=sandbox"
    try:
        assert server.stdout is not None
        announced = server.stdout.readline()  # waits until the server says it listens
        assert f"listening on http://127.0.0.1:{port}" in announced, announced
        with urllib.request.urlopen(url, timeout=WAIT) as answer:
            assert answer.status == 200
            assert b'"id":42' in answer.read().replace(b" ", b"")
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
        server.communicate(timeout=WAIT)


def _database(request: pytest.FixtureRequest) -> PostgresServer | None:
    """The PostgreSQL server of the session; None only where the run skips PostgreSQL
    (``RECONCILER_SKIP_POSTGRES=1``), which then skips the lines that need it alone."""
    try:
        server: PostgresServer = request.getfixturevalue("postgres_server")
    except pytest.skip.Exception:
        return None
    return server


def test_every_command_line_of_the_usage_section_works_as_written(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    lines = usage_lines((ROOT / "README.md").read_text("utf-8"))
    assert len(lines) >= 30
    postgres_server = _database(request)
    folder = _folder(tmp_path)
    sandbox = Sandbox(api_key=API_KEY, rate_limit=0, data=demo_data())
    database: str | None = None
    with sandbox.running_in_thread() as base_url:
        for line in lines:
            env = {**_environment(base_url), **dict(line.assignments)}
            if line.words[0] == "sandbox":
                _serves(line.words, folder, env)
                continue
            if line.needs_database:
                if postgres_server is None:
                    continue
                # One database, kept for the lines after, as a variable exported in one shell.
                database = database or postgres_server.create_database()
            if database is not None:
                env["RECONCILER_STATE_URL"] = database
            ran = _run(line.words, folder, env)
            said = f"{line.text}\n--- stdout\n{ran.stdout}\n--- stderr\n{ran.stderr}"
            assert ran.returncode in line.allowed_exits, said
            assert "Traceback" not in ran.stderr, said
            assert API_KEY not in ran.stdout + ran.stderr, said
    assert sandbox.requests, "no line reached the sandbox"
    assert postgres_server is None or database is not None, "no line used the database"


def test_the_usage_section_is_read_line_by_line() -> None:
    lines = usage_lines((ROOT / "README.md").read_text("utf-8"))
    first = lines[0]
    assert first.words == ("validate", "-f", "state.yaml")
    assert first.comment == "check the file only"
    assert sum(line.needs_database for line in lines) == 2
    assert any(line.words[0] == "sandbox" for line in lines)
    assert all(line.words[0] != "reconciler" for line in lines)
    with_variables = usage_lines("\n## Usage\n```sh\nX_Y=1 reconciler plan  # note\n```\n")
    assert with_variables == [
        Line("X_Y=1 reconciler plan  # note", ("plan",), "note", (("X_Y", "1"),))
    ]
