"""``reconciler sandbox``: run the bundled InvoiceXpress-compatible server."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.exits import exits_cleanly
from reconciler.cli.group import main
from reconciler.errors import InputError
from reconciler.workflows.session import SANDBOX_API_KEY


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--api-key", default=SANDBOX_API_KEY, show_default=True)
@click.option(
    "--data",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Load and persist the sandbox's data in this JSON file.",
)
@click.option(
    "--rate-limit",
    default="780/min",
    show_default=True,
    help="Requests per minute per account, e.g. 780/min; 0 turns it off.",
)
@click.option("--faults", default="", help="Fault injection, e.g. error=0.2,drop=0.1,seed=7.")
@click.option(
    "--quirks",
    default="",
    help="Real-API behaviours to imitate, e.g. max_per_page=30,text_numbers,hide_credentials.",
)
@click.option(
    "--flush-interval",
    type=click.FloatRange(min=0),
    default=0.25,
    show_default=True,
    help="Most seconds between a change and its write to --data (0: before answering).",
)
@exits_cleanly
def sandbox(
    host: str,
    port: int,
    api_key: str,
    data: Path | None,
    rate_limit: str,
    faults: str,
    quirks: str,
    flush_interval: float,
) -> None:
    """Run the bundled InvoiceXpress-compatible sandbox server until interrupted."""
    from reconciler.sandbox import parse_faults, parse_quirks, serve_forever

    try:
        limit = int(rate_limit.removesuffix("/min"))
    except ValueError:
        raise click.BadParameter(
            f"{rate_limit!r}: expected N/min", param_hint="--rate-limit"
        ) from None
    try:
        parsed_faults = parse_faults(faults)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--faults") from None
    try:
        parsed_quirks = parse_quirks(quirks)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--quirks") from None
    try:
        serve_forever(
            host=host,
            port=port,
            api_key=api_key,
            data_file=data,
            rate_limit=limit,
            faults=parsed_faults,
            quirks=parsed_quirks,
            flush_interval=flush_interval,
        )
    except ValueError as error:  # the sandbox's word for a data file it cannot use
        raise InputError(str(error)) from None
