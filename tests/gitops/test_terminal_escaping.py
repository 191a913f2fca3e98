"""What a command prints of a file name, a known-state record, a usage error or a log record:
never a raw escape sequence, control character or rich markup, and no line a CI runner would
read as a workflow command."""

from __future__ import annotations

import logging
import shutil

from reconciler.cli.group import TerminalSafeFormatter
from reconciler.core.known import KnownState, Record
from reconciler.storage.state_file import StateStore
from tests.support.cli_env import ROOT, Env

TITLE = "\x1b]0;pwned\x07"  # sets a terminal's window title
HOSTILE = f"x{TITLE}\x9b2J[bold]y\u2028::stop-commands::z"
SHOWN = "x\\x1b]0;pwned\\x07\\x9b2J[bold]y\\u2028::stop-commands::z"


def _clean(output: str) -> None:
    assert "\x1b" not in output and "\x07" not in output and "\x9b" not in output, repr(output)
    assert "\u2028" not in output
    assert all(not line.lstrip().startswith("::") for line in output.split("\n")), output


def test_a_desired_file_name_in_an_error_is_shown_escaped(env: Env) -> None:
    hostile = env.folder / f"{HOSTILE}.yaml"
    shutil.copy(ROOT / "state.example.yaml", hostile)
    env.edit("language: pt", "language: fr")
    hostile.write_text(env.desired.read_text())
    result = env.run("plan", "-f", str(hostile))
    assert result.exit_code == 1
    _clean(result.output)
    assert f"{SHOWN}.yaml:" in result.stderr


def test_state_list_shows_a_recorded_key_escaped(env: Env) -> None:
    known = KnownState.new().applied(f"client:{HOSTILE}", Record({}, f"2026{TITLE}"))
    StateStore(env.state_file).save(known)
    result = env.run("state", "list", "-f", str(env.desired))
    assert result.exit_code == 0, result.output
    _clean(result.output)
    assert f"client:{SHOWN}\t2026\\x1b]0;pwned\\x07" in result.stdout


def test_a_usage_error_shows_what_was_typed_escaped(env: Env) -> None:
    result = env.run("plan", "-f", str(env.desired), HOSTILE)  # an extra argument
    assert result.exit_code == 1
    _clean(result.output)
    assert "\\x1b]0;pwned" in result.output


def test_log_records_are_shown_escaped() -> None:
    record = logging.LogRecord("reconciler", logging.WARNING, __file__, 1, HOSTILE, (), None)
    shown = TerminalSafeFormatter("%(levelname)s %(name)s: %(message)s").format(record)
    _clean(shown)
    assert shown == f"WARNING reconciler: {SHOWN}"
