"""The ``reconciler`` command group and its global flags."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from reconciler import __version__, interrupts

USAGE_ERROR_EXIT = 1


class ReconcilerGroup(click.Group):
    """A click group whose usage errors exit 1, so exit 2 always means "changes pending"."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.ClickException as error:
            error.show()
            sys.exit(USAGE_ERROR_EXIT)
        except click.Abort as abort:
            if isinstance(abort.__cause__, KeyboardInterrupt):
                interrupts.leave()
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
