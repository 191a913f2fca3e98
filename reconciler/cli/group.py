"""The ``reconciler`` command group and its global flags."""

from __future__ import annotations

import logging
import sys

import click

from reconciler import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
