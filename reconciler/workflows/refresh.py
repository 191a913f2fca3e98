"""Refresh: read the declared resources from the live account, record them, report drift."""

from __future__ import annotations

import contextlib

from reconciler.core.fold import Refreshed
from reconciler.desired.document import Desired
from reconciler.workflows.session import Reading, digest_key, read_side
from reconciler.workflows.target import Target


def refresh_account(
    target: Target, desired: Desired, reading: Reading = contextlib.nullcontext
) -> Refreshed:
    """Fold the live account into the known state (saved) and say what drifted; ``reading``
    is held open while the live account is read."""
    tool = target.tool_settings()
    store = target.store()
    key = digest_key(tool, target)
    # Clients not on the live account are not an error here: there is nothing to read.
    prepared = read_side(target, desired, store, store.load(), key, tool, True, True, reading)
    if prepared.refreshed is None:
        raise RuntimeError("a refresh was asked for but none was made")
    return prepared.refreshed
