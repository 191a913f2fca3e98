"""The ``reconciler`` command group and its global flags."""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from reconciler import __version__

USAGE_ERROR_EXIT = 1


# Each command's module, imported only when the command runs (or help lists them all): a
# command pays for the imports it uses, not for every other command's.
COMMAND_MODULES = {
    "apply": "apply_command",
    "force-unlock": "force_unlock_command",
    "import": "import_command",
    "plan": "plan_command",
    "refresh": "refresh_command",
    "sandbox": "sandbox_command",
    "schema": "schema_command",
    "state": "state_command",
    "validate": "validate_command",
}


class ReconcilerGroup(click.Group):
    """A click group whose usage errors exit 1, so exit 2 always means "changes pending";
    its commands are imported when they are asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMAND_MODULES) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(f"reconciler.cli.{COMMAND_MODULES[cmd_name]}")
        return super().get_command(ctx, cmd_name)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.ClickException as error:
            error.show()
            sys.exit(USAGE_ERROR_EXIT)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(USAGE_ERROR_EXIT)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=ReconcilerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
@click.option("-v", "--verbose", is_flag=True, help="Log each request (never the API key).")
def main(verbose: bool) -> None:
    """Declarative configuration for InvoiceXpress accounts: validate, plan, apply."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
