"""The group lists its commands without importing them: ``reconciler --help`` and shell
completion show each command's summary from the group's table, written exactly as click
writes them from the commands themselves, at every width; and a summary is its command's own.

The lazy outputs are taken from fresh processes, which import no command module; the eager
ones from this process, with every command imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest

from reconciler.cli import group, main

WIDTHS = (50, 63, 80, 200)


def _child(*args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """``reconciler ARGS`` run as its script runs it, listing at its end the command modules
    it imported."""
    code = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: print(json.dumps(sorted(m for m in sys.modules"
        " if m.endswith('_command'))), file=sys.stderr))\n"
        "sys.argv[0] = 'reconciler'\n"
        "from reconciler.__main__ import run; run()\n"
    )
    environ = {**os.environ, **variables}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _imported_commands(ran: subprocess.CompletedProcess[str]) -> list[str]:
    return list(json.loads(ran.stderr.strip().splitlines()[-1]))


def _every_command() -> dict[str, click.Command]:
    ctx = click.Context(main, info_name="reconciler")
    found = {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}
    assert None not in found.values()
    return {name: command for name, command in found.items() if command is not None}


def test_each_summary_is_its_commands_own() -> None:
    commands = _every_command()

    assert sorted(commands) == sorted(group.COMMANDS)
    for name, command in commands.items():
        assert command.short_help is None and not command.deprecated and not command.hidden
        first_paragraph = (command.help or "").split("\n\n")[0]
        assert group.COMMANDS[name].summary == " ".join(first_paragraph.split()), name
        stand_in = click.Command(name, help=group.COMMANDS[name].summary)
        for limit in range(1, 240):
            assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit)


@pytest.mark.parametrize("width", WIDTHS)
def test_help_lists_the_commands_as_click_does_without_importing_them(
    width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = _child("--help", COLUMNS=str(width))
    _every_command()
    ctx = click.Context(main, info_name="reconciler", **main.context_settings)
    monkeypatch.setenv("COLUMNS", str(width))
    eager = main.get_help(ctx)
    formatter, ours = ctx.make_formatter(), ctx.make_formatter()
    click.Group.format_commands(main, ctx, formatter)
    main.format_commands(ctx, ours)

    assert ran.returncode == 0, ran.stderr
    assert _imported_commands(ran) == []
    assert ran.stdout == eager + "\n"
    assert ours.getvalue() == formatter.getvalue() and "validate" in ours.getvalue()


@pytest.mark.parametrize("typed", ["", "s", "st", "pl", "x", "-", "--"])
def test_completion_offers_the_commands_as_click_does_without_importing_them(typed: str) -> None:
    words = f"reconciler {typed}"
    ran = _child(_RECONCILER_COMPLETE="zsh_complete", COMP_WORDS=words, COMP_CWORD="1")
    _every_command()
    ctx = click.Context(main, info_name="reconciler", resilient_parsing=True)
    eager = click.Group.shell_complete(main, ctx, typed)
    ours = main.shell_complete(ctx, typed)

    assert ran.returncode == 0, ran.stderr
    assert _imported_commands(ran) == []
    assert [(c.value, c.help, c.type) for c in ours] == [(c.value, c.help, c.type) for c in eager]
    shown = ran.stdout.splitlines()
    offered = [c.value for c in eager]
    assert [shown[i] for i in range(1, len(shown), 3)] == offered
    assert [shown[i] for i in range(2, len(shown), 3)] == [c.help or "_" for c in eager]
