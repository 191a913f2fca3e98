"""Flags as a terraform user types them: global flags after the command too, the log level
from ``RECONCILER_LOG``, a log file, durations for ``--lock-timeout``, and the parallelism of
calls and of a fleet's accounts on the command line."""

from __future__ import annotations

import logging
import os
import shutil
import stat
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from reconciler.cli import group, main
from reconciler.cli.command_secrets import redacting
from reconciler.cli.exit_help import exit_codes_epilog
from reconciler.cli.logs import configure_logging
from reconciler.cli.options import Duration
from tests.gitops.conftest import API_KEY, AT_PASSWORD
from tests.support.cli_env import ROOT, Env

GET_LINE = "DEBUG reconciler.api.api_client: GET "


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_is_accepted_before_or_after_the_command(env: Env, where: str) -> None:
    command = ["refresh", "-f", str(env.desired)]
    args = ["-v", *command] if where == "before" else [*command, "-v"]
    result = env.run(*args)
    assert result.exit_code == 0, result.output
    assert GET_LINE in result.stderr


def test_no_color_is_accepted_after_the_command(env: Env) -> None:
    forced = {"NO_COLOR": None, "FORCE_COLOR": "1"}
    coloured = env.run("plan", "-f", str(env.desired), env=forced)
    assert "\x1b[32m" in coloured.stdout  # FORCE_COLOR alone colours the plan (green)
    before = env.run("--no-color", "plan", "-f", str(env.desired), env=forced)
    after = env.run("plan", "-f", str(env.desired), "--no-color", env=forced)
    assert after.exit_code == 0, after.output
    assert "\x1b[32m" not in after.stdout and "update client 42" in after.stdout
    assert after.stdout == before.stdout


def test_a_flag_value_that_looks_like_a_global_flag_stays_the_flags_value(env: Env) -> None:
    result = env.run("plan", "-f", str(env.desired), "--target", "-v")
    assert result.exit_code == 1
    assert "-v" in result.stderr and GET_LINE not in result.stderr


@pytest.mark.parametrize(
    ("level", "debug", "info"),
    [
        ("debug", True, True),
        ("DEBUG", True, True),
        ("info", False, True),
        ("warning", False, False),
    ],
)
def test_reconciler_log_sets_the_level(env: Env, level: str, debug: bool, info: bool) -> None:
    result = env.run(
        "apply",
        "-f",
        str(env.desired),
        "--auto-approve",
        env={"RECONCILER_LOG": level, "RECONCILER_RATE_LIMIT": "600"},
    )
    assert result.exit_code == 0, result.output
    assert (
        GET_LINE in result.stderr or "DEBUG reconciler.api.api_client: PUT " in result.stderr
    ) is debug
    assert ("INFO reconciler.workflows.apply: request rate" in result.stderr) is info


def test_an_unknown_log_level_is_a_one_line_error(env: Env) -> None:
    result = env.run("plan", "-f", str(env.desired), env={"RECONCILER_LOG": "chatty"})
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert "RECONCILER_LOG" in result.stderr and "debug, info or warning" in result.stderr
    assert "update client 42" not in result.stdout


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_log_file_gets_the_debug_records_and_no_secret(env: Env, where: str) -> None:
    log = env.folder / "run.log"
    command = ["apply", "-f", str(env.desired), "--auto-approve"]
    flag = ["--log-file", str(log)]
    result = env.run(*(flag + command if where == "before" else command + flag))
    assert result.exit_code == 0, result.output
    text = log.read_text("utf-8")
    assert "DEBUG reconciler.api.api_client: PUT /clients/42.json -> 200" in text
    assert "DEBUG" not in result.stderr  # the records go to the file, not the terminal
    assert API_KEY not in text and AT_PASSWORD not in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_a_log_file_record_passes_through_the_redacting_filter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a record holds, the file gets it as every other log handler does: with every
    secret in play redacted."""
    monkeypatch.setenv("INVOICEXPRESS_API_KEY", API_KEY)
    log = tmp_path / "run.log"
    with click.Context(click.Command("x")):
        configure_logging(verbose=False, log_file=log)
        try:
            with redacting(None):
                logging.getLogger("reconciler.test").warning("echoed %s", API_KEY)
        finally:
            logging.basicConfig(handlers=[logging.NullHandler()], force=True)
    text = log.read_text("utf-8")
    assert "echoed" in text and API_KEY not in text


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_log_file_that_is_not_a_regular_file_is_refused(
    env: Env, tmp_path: Path, kind: str
) -> None:
    target = tmp_path / "log"
    if kind == "folder":
        target.mkdir()
    else:
        os.mkfifo(target)
    result = env.run("--log-file", str(target), "plan", "-f", str(env.desired))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"Error: {target}: not a regular file (--log-file)"]
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("0", 0.0), ("12", 12.0), ("2.5", 2.5), ("30s", 30.0), ("5m", 300.0), ("1h", 3600.0),
     (" 5M ", 300.0), ("1.5h", 5400.0)],
)  # fmt: skip
def test_lock_timeout_takes_durations(text: str, seconds: float) -> None:
    assert Duration().convert(text, None, None) == seconds


@pytest.mark.parametrize("text", ["", "5x", "-1", "m", "5 m", "1e3", "0x10", "٣", "9" * 40, "8d"])
def test_a_duration_that_cant_be_read_is_refused(text: str) -> None:
    with pytest.raises(click.BadParameter, match="duration"):
        Duration().convert(text, None, None)


def test_lock_timeout_in_minutes_on_the_command_line(env: Env) -> None:
    result = env.run("refresh", "-f", str(env.desired), "--lock-timeout", "5m")
    assert result.exit_code == 0, result.output
    bad = env.run("refresh", "-f", str(env.desired), "--lock-timeout", "5 parsecs")
    assert bad.exit_code == 1
    assert "--lock-timeout" in bad.stderr and "30s, 5m, 1h" in bad.stderr


def test_parallelism_sets_the_calls_in_flight_over_the_variable(env: Env) -> None:
    """The flag wins over ``RECONCILER_CONCURRENCY`` (which is not even read, so a value out of
    range there is no error)."""
    out_of_range = {"RECONCILER_CONCURRENCY": "0"}
    refused = env.run("apply", "-f", str(env.desired), "--auto-approve", env=out_of_range)
    assert refused.exit_code == 1 and "RECONCILER_CONCURRENCY" in refused.stderr
    result = env.run(
        "apply", "-f", str(env.desired), "--auto-approve", "--parallelism", "2", env=out_of_range
    )
    assert result.exit_code == 0, result.output
    assert "Apply: 5 succeeded" in result.stdout
    too_many = env.run("plan", "-f", str(env.desired), "--parallelism", "65")
    assert too_many.exit_code == 1 and "--parallelism" in too_many.stderr


def test_accounts_at_once_sets_the_fleets_parallel_accounts(env: Env) -> None:
    accounts = env.folder / "accounts"
    accounts.mkdir()
    for name in ("lisboa", "porto"):
        shutil.copy(ROOT / "examples" / "minimal.yaml", accounts / f"{name}.yaml")
    out_of_range = {"RECONCILER_ACCOUNTS_AT_ONCE": "0"}
    refused = env.run("plan", "-f", str(accounts), env=out_of_range)
    assert refused.exit_code == 1 and "RECONCILER_ACCOUNTS_AT_ONCE" in refused.stderr
    result = env.run("plan", "-f", str(accounts), "--accounts-at-once", "1", env=out_of_range)
    assert "RECONCILER_ACCOUNTS_AT_ONCE" not in result.stderr, result.output
    assert "== lisboa" in result.stdout and "== porto" in result.stdout


def test_parallelism_wins_over_an_accounts_own_variable(env: Env) -> None:
    accounts = env.folder / "accounts"
    accounts.mkdir()
    for name in ("lisboa", "porto"):
        shutil.copy(ROOT / "examples" / "minimal.yaml", accounts / f"{name}.yaml")
    own = {"RECONCILER_CONCURRENCY_LISBOA": "0"}
    refused = env.run("plan", "-f", str(accounts), env=own)
    assert "RECONCILER_CONCURRENCY_LISBOA" in refused.stderr, refused.output
    result = env.run("plan", "-f", str(accounts), "--parallelism", "2", env=own)
    assert "RECONCILER_CONCURRENCY" not in result.stderr, result.output
    assert "== lisboa" in result.stdout and "== porto" in result.stdout


GLOBAL_HELP = (
    "-v, --verbose Log each request (never the API key): RECONCILER_LOG=debug.",
    "--no-color No colour in any output (as NO_COLOR=1 does).",
    "--log-file PATH Write the log records to PATH (created 0600, appended to; secrets "
    "redacted), from debug unless RECONCILER_LOG says otherwise; stderr keeps the warnings.",
)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((), ""),
        (("plan",), "plan"),
        (("plan",), "plan"),  # a command asked for again keeps one copy of each option
        (("state", "list"), ""),
    ],
)
def test_every_help_shows_the_global_options_once_and_the_exit_codes(
    args: tuple[str, ...], name: str
) -> None:
    shown = CliRunner().invoke(main, [*args, "--help"], terminal_width=400)
    assert shown.exit_code == 0, shown.output
    words = " ".join(shown.output.split())
    for line in GLOBAL_HELP:
        assert words.count(line) == 1, (line, shown.output)
    if args != ("state", "list"):
        epilog = exit_codes_epilog(name).replace("\b", "")  # click's mark: not rewrapped
        assert words.endswith(" ".join(epilog.split())), shown.output


def test_reconciler_alone_prints_its_help_and_exits_0() -> None:
    shown = CliRunner().invoke(main, [], terminal_width=400)
    assert shown.exit_code == 0
    assert shown.stdout == CliRunner().invoke(main, ["--help"], terminal_width=400).stdout
    assert "Commands:" in shown.stdout and shown.stderr == ""


@pytest.mark.parametrize("form", ["-out", "-out=plan.json"])
def test_the_group_called_with_its_arguments_names_the_one_dash_flag(
    form: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given its arguments, as a program embedding it calls it; and from the command line.
    for called in ("given", "command line"):
        typed = ["plan", "-f", "state.yaml", form, "plan.json"]
        with pytest.raises(SystemExit) as ended:
            if called == "given":
                main(typed)
            else:
                monkeypatch.setattr("sys.argv", ["reconciler", *typed])
                main()
        assert ended.value.code == 1
        err = capsys.readouterr().err
        assert "No such option '-out'" in err, err
        assert "Usage: " in err and "plan --help' for help." in err  # the command's context
        assert "hint: did you mean --out? reconciler's long flags take two dashes" in err


def test_a_one_dash_flag_typed_first_gets_the_hint(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.argv", ["reconciler", "-no-color", "plan"])
    with pytest.raises(SystemExit) as ended:
        main()
    assert ended.value.code == 1
    assert "hint: did you mean --no-color?" in capsys.readouterr().err


def test_a_one_dash_word_after_a_double_dash_is_no_flag() -> None:
    assert group.one_dash_word(["plan", "--", "-out"]) is None
    assert group.one_dash_word(["plan", "-out", "--"]) == "-out"


def test_a_usage_error_shows_what_was_typed_escaped(env: Env) -> None:
    # Not escape sequences alone (click strips those when stderr is no terminal): any control.
    result = env.run("plan", "-f", str(env.desired), "--over\rwritten\x07")
    assert result.exit_code == 1
    assert "No such option" in result.stderr
    assert "\r" not in result.stderr and "\x07" not in result.stderr
    assert "--over\\rwritten\\x07" in result.stderr


def test_changes_pending_exit_2_through_the_group(env: Env) -> None:
    result = env.run("plan", "-f", str(env.desired), "--detailed-exitcode")
    assert result.exit_code == 2, result.output


def test_colour_is_not_refused_outside_a_run() -> None:
    assert group.colour_refused() is False
    with click.Context(main):
        assert group.colour_refused() is False
