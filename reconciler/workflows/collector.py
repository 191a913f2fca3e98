"""Pausing Python's cyclic garbage collector while a big plan is loaded and built.

Loading 100,000 clients allocates millions of objects, none of them in a reference cycle;
the collector would rescan them all again and again as they pile up (a quarter of the time
of a large plan). Reference counting still frees everything as usual while it is paused.
What the block leaves alive is then frozen (``gc.freeze``): long-lived data without cycles,
which no later collection needs to scan again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off; then freeze what it left alive
    and restore the collector."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
