"""Terminal UX: progress (bar on a terminal, plain lines elsewhere), --quiet, -v, colour."""

from __future__ import annotations

import io
import re

from rich.console import Console

from reconciler.cli.progress import progress, reading_live
from reconciler.core.diff import FieldChange
from reconciler.core.kinds import registry
from reconciler.core.kinds.client import KIND as CLIENTS
from reconciler.core.plan import Call
from reconciler.workflows.apply import Outcome, Status
from tests.support.cli_env import Env

COLOUR = re.compile(r"\x1b\[[0-9;]*3[0-7]m|\x1b\[[0-9;]*38;")


def _call(client_id: int) -> Call:
    return Call(
        sort_key=(registry.phase(CLIENTS.update), client_id),
        action=CLIENTS.update,
        resource=f"client:{client_id}",
        target_id=client_id,
        method="PUT",
        path=f"/clients/{client_id}.json",
        body={"client": {"name": "x", "code": "y"}},
        changes=(FieldChange("name", None, "x"),),
        reason="never applied",
    )


def test_off_a_terminal_apply_prints_one_plain_line_per_finished_call(env: Env) -> None:
    result = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert len(lines) == 5
    assert lines[-1].startswith("[5/5] succeeded: ")
    assert {line.split(": ", 1)[1] for line in lines} == {
        "update account 12345",
        "register sequence 146090",
        "set default sequence 146090",
        "update client 42",
        "update client 43",
    }
    assert "\x1b[" not in result.output


def test_quiet_apply_prints_only_errors_and_the_summary(env: Env) -> None:
    env.edit("name: Cliente Exemplo, S.A.", "name: Old Customer Ltd")
    result = env.run("apply", "-f", str(env.desired), "--auto-approve", "--quiet")
    assert result.exit_code == 3
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].startswith("  failed: update client 43: PUT /clients/43.json: HTTP 422")
    assert lines[1:] == ["Apply: 4 succeeded, 1 failed, 0 skipped."]


def test_verbose_logs_each_request_to_stderr(env: Env) -> None:
    result = env.run("-v", "apply", "-f", str(env.desired), "--auto-approve", "--quiet")
    assert result.exit_code == 0
    assert "PUT /clients/42.json -> 200" in result.stderr
    assert "gitops-SENTINEL" not in result.stderr


def test_colour_only_when_forced_and_never_with_no_color(env: Env) -> None:
    plain = env.run("plan", "-f", str(env.desired), env={"NO_COLOR": None})
    assert "\x1b[" not in plain.output  # not a terminal
    forced = env.run("plan", "-f", str(env.desired), env={"NO_COLOR": None, "FORCE_COLOR": "1"})
    assert COLOUR.search(forced.stdout)
    no_color = env.run("plan", "-f", str(env.desired), env={"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert not COLOUR.search(no_color.stdout)
    assert "update client 42" in no_color.stdout


def test_on_a_terminal_progress_is_a_bar_that_reports_failures() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100, no_color=True)
    with progress(2, console, quiet=False) as listener:
        listener(Outcome(_call(42), Status.SUCCEEDED))
        listener(Outcome(_call(43), Status.FAILED, "HTTP 422: Name has already been taken"))
    text = screen.getvalue()
    assert "Applying" in text
    assert "failed: update client 43: HTTP 422: Name has already been taken" in text
    assert "[1/2]" not in text  # no plain lines on a terminal


def test_on_a_terminal_failures_alike_are_shown_once_then_counted() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=200, no_color=True)
    cause = "HTTP 401: Access denied"
    with progress(4, console, quiet=False) as listener:
        for client_id in (42, 43, 44):
            listener(Outcome(_call(client_id), Status.FAILED, f"PUT ...: {cause}", cause))
        listener(Outcome(_call(45), Status.FAILED, "HTTP 422: Name taken", "HTTP 422: Name taken"))
    text = screen.getvalue()
    assert text.count("failed: update client 42: PUT ...: HTTP 401: Access denied") == 1
    assert "update client 43:" not in text and "update client 44:" not in text
    assert "failed: update client 45: HTTP 422: Name taken" in text
    assert text.count("failed: HTTP 401: Access denied (3 calls)") == 1


def test_quiet_progress_shows_nothing() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    with progress(1, console, quiet=True) as listener:
        listener(Outcome(_call(42), Status.SUCCEEDED))
    assert screen.getvalue() == ""


def test_on_a_terminal_reading_the_live_account_is_a_spinner_that_goes_away() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100, no_color=True)
    with reading_live(console)():
        console.print("looked up")
    text = screen.getvalue()
    assert "Reading the live account" in text
    assert "looked up" in text


def test_quiet_reading_shows_nothing() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    with reading_live(console, quiet=True)():
        pass
    assert screen.getvalue() == ""
