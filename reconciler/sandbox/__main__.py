"""``python -m reconciler.sandbox``: run the sandbox server until interrupted."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from reconciler.sandbox.faults import Faults, parse_faults
from reconciler.sandbox.quirks import Quirks, parse_quirks
from reconciler.sandbox.ratelimit import DEFAULT_LIMIT, parse_rate_limit
from reconciler.sandbox.server import serve_forever
from reconciler.sandbox.store import DEFAULT_FLUSH_INTERVAL

T = TypeVar("T")


def _option(parse: Callable[[str], T]) -> Callable[[str], T]:
    """``parse`` with its ``ValueError`` message shown by argparse, not swallowed."""

    def parse_option(text: str) -> T:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse_option


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{text!r} is not a number of seconds (0 or more)")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reconciler.sandbox",
        description="Serve an InvoiceXpress API v2 look-alike until interrupted.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on; 0 picks one")
    parser.add_argument("--api-key", default="sandbox", help="the API key requests must carry")
    parser.add_argument(
        "--data", type=Path, default=None, help="JSON file to load the data from and persist it to"
    )
    parser.add_argument(
        "--flush-interval",
        type=_option(_seconds),
        default=DEFAULT_FLUSH_INTERVAL,
        metavar="S",
        help=(
            "seconds at most between a change and its write to --data "
            f"(default {DEFAULT_FLUSH_INTERVAL}; 0 writes before every write is answered)"
        ),
    )
    parser.add_argument(
        "--rate-limit",
        type=_option(parse_rate_limit),
        default=DEFAULT_LIMIT,
        metavar="N/min",
        help=f"requests per minute per API key (default {DEFAULT_LIMIT}; 0 turns it off)",
    )
    parser.add_argument(
        "--faults",
        type=_option(parse_faults),
        default=Faults(),
        metavar="SPEC",
        help="fault injection, e.g. error=0.2,drop=0.1,lost=0.05,latency=0.01,burst429=0.02,seed=7",
    )
    parser.add_argument(
        "--quirks",
        type=_option(parse_quirks),
        default=Quirks(),
        metavar="SPEC",
        help="real-API behaviours to imitate, e.g. max_per_page=30,text_numbers,hide_credentials",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the server; the exit status is 0 after SIGINT/SIGTERM, 1 if it can't start."""
    args = _parser().parse_args(argv)
    try:
        serve_forever(
            host=args.host,
            port=args.port,
            api_key=args.api_key,
            data_file=args.data,
            rate_limit=args.rate_limit,
            faults=args.faults,
            quirks=args.quirks,
            flush_interval=args.flush_interval,
        )
    except (OSError, ValueError) as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
