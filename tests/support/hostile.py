"""Small hostile HTTP servers for tests: real aiohttp servers on 127.0.0.1.

``serving(handler)`` runs one handler for every method and path on an event loop of its own in
a daemon thread (the CLI under test runs ``asyncio.run`` in the test's thread) and yields its
base URL. ``Seen`` records what a server received.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Seen:
    """Every request a server received: ``"METHOD /path"`` and its body."""

    requests: list[str] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def note(self, request: web.Request) -> bytes:
        body = await request.read()
        with self.lock:
            self.requests.append(f"{request.method} {request.path}")
            self.bodies.append(body)
        return body


@contextmanager
def serving(handler: Handler) -> Iterator[str]:
    """Serve ``handler`` for every request; yields ``http://127.0.0.1:PORT``."""
    started: queue.Queue[tuple[str, asyncio.AbstractEventLoop, asyncio.Event] | BaseException]
    started = queue.Queue()

    async def serve() -> None:
        app = web.Application(client_max_size=1024**3)
        app.router.add_route("*", "/{tail:.*}", handler)
        # No access log: it would show the API key in the query, as any server's log does.
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1, access_log=None)
        try:
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            stop = asyncio.Event()
            started.put((f"http://127.0.0.1:{port}", asyncio.get_running_loop(), stop))
            await stop.wait()
        except Exception as exc:
            started.put(exc)
        finally:
            await runner.cleanup()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), name="hostile", daemon=True)
    thread.start()
    outcome = started.get(timeout=30)
    if isinstance(outcome, BaseException):
        thread.join()
        raise outcome
    url, loop, stop = outcome
    try:
        yield url
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)


async def stream(
    request: web.Request,
    chunks: Iterator[bytes],
    *,
    status: int = 200,
    length: int | None = None,
    pause: float = 0.0,
) -> web.StreamResponse:
    """Send ``chunks`` one by one (``pause`` seconds apart), never holding the whole body.

    A client that hangs up early ends the answer quietly: that is what these tests want.
    """
    response = web.StreamResponse(status=status, headers={"Content-Type": "application/json"})
    if length is not None:
        response.content_length = length
    try:
        await response.prepare(request)
        for chunk in chunks:
            await response.write(chunk)
            if pause:
                await asyncio.sleep(pause)
        await response.write_eof()
    except (ConnectionError, RuntimeError):
        pass
    return response
