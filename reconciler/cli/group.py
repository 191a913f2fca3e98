"""The ``reconciler`` command group and its global flags."""

from __future__ import annotations

import importlib
import io
import re
import sys
from collections.abc import Sequence
from gettext import gettext as _
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from reconciler import __version__, interrupts
from reconciler.cli.exit_help import exit_codes_epilog
from reconciler.cli.logs import TerminalSafeFormatter as TerminalSafeFormatter
from reconciler.cli.logs import configure_logging
from reconciler.render.escape import terminal_lines
from reconciler.workflows.collector import collector_paused

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

USAGE_ERROR_EXIT = 1
# A word typed as terraform spells its flags: one dash, then a name longer than one letter.
_ONE_DASH = re.compile(r"-([A-Za-z][A-Za-z0-9-]+)(?:=.*)?\Z", re.DOTALL)


class Lazy(NamedTuple):
    """A command as the group knows it before importing it: its module (under
    ``reconciler.cli``), and the first paragraph of its help, which its short help is made of."""

    module: str
    summary: str


# Each command's module, imported only when the command runs: a command pays for the imports it
# uses, not for every other command's. ``--help`` and shell completion list the commands by
# their summaries, importing none (a test holds each summary equal to its command's own).
COMMANDS = {
    "apply": Lazy(
        "apply_command",
        "Show the plan, ask, then make the calls and record each success in the known state.",
    ),
    "force-unlock": Lazy(
        "force_unlock_command",
        "Remove the known-state lock of an apply that is gone (refused while it still runs).",
    ),
    "import": Lazy(
        "import_command",
        "Write the desired-state file from the live account, or update it in place (comments, "
        "order and quoting kept), and record what was read as the known state.",
    ),
    "plan": Lazy("plan_command", "Show, as a dry run, exactly the API calls an apply would make."),
    "refresh": Lazy(
        "refresh_command",
        "Read the live account for every declared resource, show drift, update the known state.",
    ),
    "sandbox": Lazy(
        "sandbox_command",
        "Run the bundled InvoiceXpress-compatible sandbox server until interrupted.",
    ),
    "schema": Lazy(
        "schema_command",
        "Print the JSON Schema of the desired-state file (for yaml-language-server and editors).",
    ),
    "show": Lazy(
        "show_command",
        "Show a saved plan (from `reconciler plan --out`) and whether the desired file and known "
        "state still match it, without reaching the API. Freshness goes to stderr with --format "
        "json or markdown, so stdout is the plan alone. The plan is judged against the known "
        "state it was made with (the database it records, or the file).",
    ),
    # state_records_command adds list, show and rm to the group state_command defines.
    "state": Lazy("state_records_command", "Work on the known state itself."),
    "validate": Lazy(
        "validate_command",
        "Check desired-state files only (FILES, or -f; a folder: every *.yaml in it): syntax, "
        "fields, values, duplicates.",
    ),
}


class ReconcilerGroup(click.Group):
    """A click group whose usage errors exit 1, so exit 2 always means "changes pending";
    its commands are imported when they are asked for (``COMMANDS``), and listed, in help and
    shell completion, without being imported. Alone, ``reconciler`` prints its help and exits
    0; every help ends with the exit codes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.epilog = self.epilog or exit_codes_epilog("")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            click.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            # Modules live as long as the run: no collection needs to scan what they make.
            with collector_paused():
                importlib.import_module(f"reconciler.cli.{COMMANDS[cmd_name].module}")
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _accept_global_options(command)
            if command.epilog is None:
                command.epilog = exit_codes_epilog(cmd_name)
        return command

    def summary(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A command as help and completion list it: a stand-in with its name and summary
        when it is not imported yet, which click shortens as it would the command's help."""
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return self.get_command(ctx, cmd_name)
        return click.Command(cmd_name, help=COMMANDS[cmd_name].summary)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands section of the help, as click writes it, from the summaries."""
        listed = [(name, self.summary(ctx, name)) for name in self.list_commands(ctx)]
        commands = [(name, cmd) for name, cmd in listed if cmd is not None and not cmd.hidden]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _command in commands)
            rows = [(name, cmd.get_short_help_str(limit)) for name, cmd in commands]
            with formatter.section(_("Commands")):
                formatter.write_dl(rows)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        results = []
        for name in self.list_commands(ctx):
            command = self.summary(ctx, name) if name.startswith(incomplete) else None
            if command is not None and not command.hidden:
                results.append(CompletionItem(name, help=command.get_short_help_str()))
        results.extend(click.Command.shell_complete(self, ctx, incomplete))
        return results

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        argv = kwargs.get("args", args[0] if args else None)
        try:
            result = super().main(*args, **kwargs)
        except click.NoSuchOption as error:
            typed = one_dash_word(sys.argv[1:] if argv is None else argv)
            if typed is not None:  # click names only its first letter: "-o" of "-out"
                error = click.NoSuchOption(typed.partition("=")[0], ctx=error.ctx)
            show_usage_error(error)
            if typed is not None:
                name = typed.removeprefix("-").partition("=")[0]
                click.echo(
                    f"hint: did you mean --{name}? reconciler's long flags take two dashes",
                    err=True,
                )
            sys.exit(USAGE_ERROR_EXIT)
        except click.ClickException as error:
            show_usage_error(error)
            sys.exit(USAGE_ERROR_EXIT)
        except click.Abort:  # Ctrl-C or the end of input at a prompt: an interrupt
            interrupts.leave()
        sys.exit(result if isinstance(result, int) else 0)


def show_usage_error(error: click.ClickException) -> None:
    """Print a usage error as click does, on stderr, with what was typed shown escaped."""
    shown = io.StringIO()
    error.show(file=shown)
    click.echo(terminal_lines(shown.getvalue()), err=True, nl=False)


def one_dash_word(argv: Sequence[str]) -> str | None:
    """The first word typed as terraform spells a flag, with one dash (``-out``), if any."""
    for word in argv:
        if word == "--":
            return None
        if _ONE_DASH.match(word):
            return word
    return None


_GIVEN = "reconciler.global-options"
"""Where the global options given so far (before or after the command) are kept, in the
context's ``meta``, which every context of one run shares."""


def _global_options() -> list[click.Option]:
    """The options every command takes, before or after its name, as terraform users type them
    (``plan -v``): their values are kept for the whole run, not passed to the command."""
    return [
        click.Option(
            ["-v", "--verbose"],
            is_flag=True,
            expose_value=False,
            callback=_given,
            help="Log each request (never the API key): RECONCILER_LOG=debug.",
        ),
        click.Option(
            ["--no-color", "no_color"],
            is_flag=True,
            expose_value=False,
            callback=_given,
            help="No colour in any output (as NO_COLOR=1 does).",
        ),
        click.Option(
            ["--log-file"],
            type=click.Path(path_type=Path),
            metavar="PATH",
            expose_value=False,
            callback=_given,
            help="Write the log records to PATH (created 0600, appended to; secrets redacted), "
            "from debug unless RECONCILER_LOG says otherwise; stderr keeps the warnings.",
        ),
    ]


def _given(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Keep a global option given on the command line, and set the logging up again."""
    given: dict[str, Any] = ctx.meta.setdefault(_GIVEN, {})
    if value and param.name is not None:
        given[param.name] = value
        if param.name != "no_color" and ctx.parent is not None:  # the group sets up at first
            _set_up_logging(given)


def _set_up_logging(given: dict[str, Any]) -> None:
    configure_logging(verbose=bool(given.get("verbose")), log_file=given.get("log_file"))


def _accept_global_options(command: click.Command) -> None:
    """Let ``command`` (and, for a group, its commands) take the global options too."""
    if any(param.name == "log_file" for param in command.params):
        return
    command.params.extend(_global_options())
    if isinstance(command, click.Group):
        for inner in command.commands.values():
            _accept_global_options(inner)


@click.group(cls=ReconcilerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Declarative configuration for InvoiceXpress accounts: validate, plan, apply.

    -v, --no-color and --log-file go before or after the command; RECONCILER_LOG=debug|info|
    warning sets the log level.
    """
    _set_up_logging(ctx.meta.setdefault(_GIVEN, {}))


main.params.extend(_global_options())


def colour_refused() -> bool:
    """Whether this run was given ``--no-color`` (before or after the command)."""
    context = click.get_current_context(silent=True)
    return bool(context is not None and context.meta.get(_GIVEN, {}).get("no_color"))
