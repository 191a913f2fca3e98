"""A server can hold a request neither for ever nor with an answer of any size (issue "Hostile
servers", item 4): each request has an overall deadline (``RECONCILER_REQUEST_DEADLINE``), and
an answer larger than ``RECONCILER_MAX_RESPONSE_BYTES`` is refused while it is read."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

from tests.support.cli_process import environment, run_cli
from tests.support.hostile import Handler, Seen, serving, stream
from tests.support.many_clients import Fleet

MIB = 1024 * 1024
HUGE = 64 * MIB
CHUNK = 64 * 1024


def _drip(body: bytes) -> Iterator[bytes]:
    return (body[i : i + 1] for i in range(len(body)))


def test_a_dripping_server_cannot_hold_a_request_past_its_deadline(tmp_path: Path) -> None:
    # Each answer would take 3 s, a byte every 0.25 s: never idle long enough for the read
    # timeout, and before the deadline existed, each answer arrived and the apply succeeded.
    fleet = Fleet(tmp_path, 1).write()
    seen = Seen()

    async def dripping(request: web.Request) -> web.StreamResponse:
        await seen.note(request)
        body = b" " * 10 + b"{}"
        return await stream(request, _drip(body), length=len(body), pause=0.25)

    with serving(dripping) as base_url:
        env = environment(
            base_url,
            RECONCILER_REQUEST_DEADLINE="1",
            RECONCILER_RETRY_BUDGET="2",
            RECONCILER_MAX_ATTEMPTS="20",
            RECONCILER_RETRY_BACKOFF="0.01",
        )
        result = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)
    output = result.stdout + result.stderr
    assert result.exit_code == 3, output
    assert "within the 1 s deadline" in output, output
    assert fleet.done(fleet.known()) == set()
    # The retry budget ends the retrying, long before the 20 attempts allowed.
    attempts = Counter(seen.requests)
    assert attempts and max(attempts.values()) < 10, attempts


def _spaces_then_json(size: int) -> Iterator[bytes]:
    """``size`` bytes of valid JSON (spaces, then ``{}``), made a chunk at a time."""
    chunk = b" " * CHUNK
    for _ in range((size - 2) // CHUNK):
        yield chunk
    yield b" " * ((size - 2) % CHUNK) + b"{}"


def _huge_answers(declared: bool) -> Handler:
    async def huge(request: web.Request) -> web.StreamResponse:
        await request.read()
        length = HUGE if declared else None
        return await stream(request, _spaces_then_json(HUGE), length=length)

    return huge


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_an_answer_larger_than_the_cap_is_refused(tmp_path: Path, declared: bool) -> None:
    fleet = Fleet(tmp_path, 1).write()
    with serving(_huge_answers(declared)) as base_url:
        env = environment(
            base_url,
            RECONCILER_MAX_RESPONSE_BYTES=str(MIB),
            RECONCILER_MAX_ATTEMPTS="2",
            RECONCILER_RETRY_BACKOFF="0.01",
        )
        result = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)
    output = result.stdout + result.stderr
    assert result.exit_code == 3, output[:2000]
    assert "larger than the 1,048,576-byte limit" in output, output[:2000]
    assert len(output) < 10_000
    assert fleet.done(fleet.known()) == set()


# Run by a small parent of its own: a child's ru_maxrss starts from the high-water mark of the
# process it was forked from, so measured straight from this (large) test process it would
# report the test process's own peak.
_MEASURED = """
import os, resource, subprocess, sys
child = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(child.returncode, peak)
"""


def test_refusing_a_huge_answer_keeps_memory_bounded(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, 1).write()
    with serving(_huge_answers(declared=False)) as base_url:
        env = environment(
            base_url, RECONCILER_MAX_RESPONSE_BYTES=str(MIB), RECONCILER_MAX_ATTEMPTS="1"
        )
        command = [sys.executable, "-m", "reconciler", "apply", "-f", str(fleet.desired)]
        measured = subprocess.run(
            [sys.executable, "-c", _MEASURED, *command, "--auto-approve"],
            env={**os.environ, **env},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        )
    returncode, peak = (int(n) for n in measured.stdout.split())
    assert returncode == 3, measured.stderr[:2000]
    print(f"peak RSS refusing a {HUGE // MIB} MiB answer: {peak / MIB:.0f} MiB")
    # Reading the answer whole would hold it at least twice (bytes and text) on top of the
    # interpreter and its imports.
    assert peak < HUGE + 64 * MIB, f"{peak / MIB:.0f} MiB"
