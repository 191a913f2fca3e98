"""What the handlers share: the data, the request log, the limits, the faults and the quirks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from reconciler.sandbox.faults import FaultInjector
from reconciler.sandbox.quirks import Quirks
from reconciler.sandbox.ratelimit import RateLimiter
from reconciler.sandbox.recording import RequestLog
from reconciler.sandbox.store import Store

Rewrite = Callable[[Any], Any]


@dataclass
class Context:
    """The state behind one sandbox; one per ``Sandbox``, shared by each app built for it."""

    api_key: str
    store: Store
    log: RequestLog
    limiter: RateLimiter
    injector: FaultInjector
    quirks: Quirks = field(default_factory=Quirks)
    rewrites: dict[str, Rewrite] = field(default_factory=dict)

    def rewritten(self, kind: str, changes: dict[str, Any]) -> dict[str, Any]:
        """``changes`` as a server that rewrites what it is given would store them."""
        rewritten = dict(changes)
        for key, value in changes.items():
            rewrite = self.rewrites.get(f"{kind}.{key}")
            if rewrite is not None:
                rewritten[key] = rewrite(value)
        return rewritten


CONTEXT = web.AppKey("sandbox_context", Context)
