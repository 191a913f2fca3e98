"""``Sandbox``: the InvoiceXpress-compatible server, run in-process or as a blocking command."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import signal
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

from aiohttp import web

from reconciler.sandbox import (
    routes_accounts,
    routes_clients,
    routes_items,
    routes_sequences,
    routes_taxes,
)
from reconciler.sandbox.context import CONTEXT, Context, Rewrite
from reconciler.sandbox.demo import demo_data
from reconciler.sandbox.faults import FaultInjector, Faults
from reconciler.sandbox.flusher import flushing
from reconciler.sandbox.gate import gate
from reconciler.sandbox.quirks import Quirks
from reconciler.sandbox.ratelimit import DEFAULT_LIMIT, WINDOW_SECONDS, RateLimiter
from reconciler.sandbox.recording import RecordedRequest, RequestLog
from reconciler.sandbox.store import DEFAULT_FLUSH_INTERVAL, Store

# In-flight requests get this long to finish when the server stops (a latency fault may be
# sleeping); aiohttp's default of 60 seconds would make stopping a test server slow.
SHUTDOWN_TIMEOUT = 2.0


def base_url(host: str, port: int) -> str:
    """``http://host:port``, with an IPv6 host in brackets."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


class Sandbox:
    """An InvoiceXpress API v2 look-alike for the account, sequences, clients, taxes and items
    endpoints.

    ``data_file`` is written ``flush_interval`` seconds at most after a change, and when the
    server stops; ``flush_interval=0`` writes it before each write is answered.
    """

    def __init__(
        self,
        *,
        api_key: str = "sandbox",
        data: dict[str, Any] | None = None,
        data_file: Path | None = None,
        flush_interval: float = DEFAULT_FLUSH_INTERVAL,
        rate_limit: int = DEFAULT_LIMIT,
        rate_window: float = WINDOW_SECONDS,
        faults: Faults | None = None,
        quirks: Quirks | None = None,
    ) -> None:
        default = data if data is not None else demo_data()
        self._context = Context(
            api_key=api_key,
            store=Store.open(data_file, default, flush_interval),
            log=RequestLog(),
            limiter=RateLimiter(rate_limit, window=rate_window),
            injector=FaultInjector(faults if faults is not None else Faults()),
            quirks=quirks if quirks is not None else Quirks(),
        )
        self.app = self._make_app()

    def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[gate])
        app[CONTEXT] = self._context
        tables = (routes_accounts, routes_clients, routes_sequences, routes_taxes, routes_items)
        for module in tables:
            app.router.add_routes(module.routes)
        app.cleanup_ctx.append(flushing(self._context.store))
        return app

    @property
    def api_key(self) -> str:
        return self._context.api_key

    @property
    def faults(self) -> Faults:
        """The fault settings; change their fields, or assign new ones, at any time."""
        return self._context.injector.faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self._context.injector.faults = faults

    @property
    def quirks(self) -> Quirks:
        """How this run departs from the documented answers; change their fields, or assign new
        ones, at any time."""
        return self._context.quirks

    @quirks.setter
    def quirks(self, quirks: Quirks) -> None:
        self._context.quirks = quirks

    @property
    def rate_limit(self) -> int:
        """Requests per minute per API key; 0 means no limit."""
        return self._context.limiter.limit

    @rate_limit.setter
    def rate_limit(self, limit: int) -> None:
        self._context.limiter.limit = limit

    @property
    def rewrites(self) -> dict[str, Rewrite]:
        """``{"client.phone": fn, "account.city": fn, ...}``: a PUT/POST that sets the field stores
        ``fn(value)`` instead of the value given, as a server that rewrites its input would."""
        return self._context.rewrites

    @rewrites.setter
    def rewrites(self, rewrites: dict[str, Rewrite]) -> None:
        self._context.rewrites = rewrites

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the request log, oldest first."""
        return self._context.log.entries()

    def clear_requests(self) -> None:
        self._context.log.clear()

    def snapshot(self) -> dict[str, Any]:
        """A deep copy of the current data set."""
        return self._context.store.snapshot()

    def edit(self, fn: Callable[[dict[str, Any]], None]) -> None:
        """Change the data directly, as a hand edit in the web app would: ``fn`` changes a
        copy, kept if ``fn`` returns normally; written to the data file before this returns."""
        self._context.store.edit(fn)

    def flush(self) -> bool:
        """Write the data file now if it is missing changes; whether it wrote."""
        return self._context.store.flush()

    @contextlib.asynccontextmanager
    async def running(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
        """Serve on the current event loop; yields the base URL (with the real port for port 0)."""
        if self.app.frozen:
            # An aiohttp app serves one run only; each run gets a fresh one over the same state.
            self.app = self._make_app()
        runner = web.AppRunner(
            self.app, access_log=None, handle_signals=False, shutdown_timeout=SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port)
            await site.start()
            _, actual_port = runner.addresses[0][:2]
            yield base_url(host, int(actual_port))
        finally:
            await runner.cleanup()

    @contextlib.contextmanager
    def running_in_thread(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
        """Serve on an event loop of its own in a daemon thread; yields the base URL once the
        server accepts connections, and stops it on exit."""
        started: queue.Queue[tuple[str, asyncio.AbstractEventLoop, asyncio.Event] | BaseException]
        started = queue.Queue()

        async def serve() -> None:
            stop = asyncio.Event()
            try:
                async with self.running(host, port) as url:
                    started.put((url, asyncio.get_running_loop(), stop))
                    await stop.wait()
            except Exception as exc:
                # Reported to the caller, which is waiting for the URL (or raises after stopping).
                started.put(exc)

        thread = threading.Thread(
            target=asyncio.run, args=(serve(),), name="invoicexpress-sandbox", daemon=True
        )
        thread.start()
        outcome = started.get()
        if isinstance(outcome, BaseException):
            thread.join()
            raise outcome
        url, loop, stop = outcome
        try:
            yield url
        finally:
            loop.call_soon_threadsafe(stop.set)
            thread.join()
        if not started.empty():
            # Stopping failed, e.g. the last flush of the data file.
            failure = started.get()
            assert isinstance(failure, BaseException)
            raise failure


def serve_forever(
    *,
    host: str,
    port: int,
    api_key: str,
    data_file: Path | None,
    rate_limit: int,
    faults: Faults,
    quirks: Quirks | None = None,
    flush_interval: float = DEFAULT_FLUSH_INTERVAL,
) -> None:
    """Serve until SIGINT or SIGTERM, after printing one line with the base URL and the key;
    the data file holds every answered write when this returns."""
    sandbox = Sandbox(
        api_key=api_key,
        data_file=data_file,
        flush_interval=flush_interval,
        rate_limit=rate_limit,
        faults=faults,
        quirks=quirks,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_until_signalled(sandbox, host, port))


async def _serve_until_signalled(sandbox: Sandbox, host: str, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Not available on Windows' event loop; there Ctrl-C raises KeyboardInterrupt instead.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    async with sandbox.running(host, port) as url:
        print(f"InvoiceXpress sandbox listening on {url} (api_key={sandbox.api_key})", flush=True)
        await stop.wait()
