"""An InvoiceXpress API v2 look-alike server for the resources the reconciler manages.

It imports nothing from the rest of the package: it is a separate server that ships with it, so it
can't share a bug with the client. See ``README.md`` next to this file for every behaviour the
public docs leave open.
"""

from reconciler.sandbox.demo import demo_data
from reconciler.sandbox.faults import Faults, parse_faults
from reconciler.sandbox.quirks import Quirks, parse_quirks
from reconciler.sandbox.ratelimit import parse_rate_limit
from reconciler.sandbox.recording import DROPPED, RecordedRequest
from reconciler.sandbox.server import Sandbox, serve_forever

__all__ = [
    "DROPPED",
    "Faults",
    "Quirks",
    "RecordedRequest",
    "Sandbox",
    "demo_data",
    "parse_faults",
    "parse_quirks",
    "parse_rate_limit",
    "serve_forever",
]
