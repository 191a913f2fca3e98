"""A server whose error answers echo the whole request never gets a secret shown (issue
"Hostile servers", item 3), and a huge error answer is shown cut to a bounded message.

The echo server repeats the request line (the API key in its query), the body (the AT
password in Base64, the account password raw) and every other form it can make of them:
percent-encoded with ``quote`` and ``quote_plus``, decoded, Base64 standard and URL-safe, with
and without padding.
"""

from __future__ import annotations

import base64
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import click
from aiohttp import web
from click.testing import CliRunner

from reconciler.cli.command_secrets import in_play
from reconciler.cli.exits import exits_cleanly
from reconciler.errors import ReconcilerError
from tests.support.cli_process import environment, run_cli
from tests.support.hostile import serving, stream
from tests.support.many_clients import Fleet

from .test_secrets import forms

# Characters that every encoding changes: space, '+', '/', '=', '#', '&'.
API_KEY = "SENTINEL key+/=7Q&x"
AT_PASSWORD = "At>>>?Sent#12"  # Base64 of it holds '+' and '/', and padding
ACCOUNT_PASSWORD = "Acct Sentinel+/9"
SECRETS = (API_KEY, AT_PASSWORD, ACCOUNT_PASSWORD)
SENTINEL_ENV = {
    "INVOICEXPRESS_API_KEY": API_KEY,
    "AT_PASSWORD": AT_PASSWORD,
    "ACCOUNT_PASSWORD": ACCOUNT_PASSWORD,
    "RECONCILER_MAX_ATTEMPTS": "2",
    "RECONCILER_RETRY_BACKOFF": "0.01",
}
HUGE = 50_000_000
LARGE = 100_000


def every_form(secret: str) -> set[str]:
    """What the scanner looks for: ``test_secrets.forms`` and the URL-safe and plus forms."""
    found = forms(secret) | {quote(secret), quote_plus(secret), quote_plus(secret, safe="/")}
    for shift in range(3):
        encoded = base64.urlsafe_b64encode(b"\0" * shift + secret.encode()).decode()
        found.add(encoded[(shift * 4 + 2) // 3 + 1 : -3])
    return found


FORMS = {form: secret for secret in SECRETS for form in every_form(secret)}


def leaks(text: str) -> list[str]:
    return sorted({f"{FORMS[form]!r} as {form!r}" for form in FORMS if form in text})


def test_the_sentinels_take_every_form() -> None:
    encoded = base64.b64encode(AT_PASSWORD.encode()).decode()
    assert {"+", "/", "="} <= set(encoded)
    assert quote(API_KEY) != quote_plus(API_KEY) != quote(API_KEY, safe="")
    for secret in SECRETS:
        assert leaks(f"x{secret}y") and leaks(quote_plus(secret))
        assert leaks(base64.urlsafe_b64encode(secret.encode()).decode().rstrip("="))


def _echo(request: web.Request, body: bytes) -> str:
    """The request, repeated in every form a careless server might show it."""
    parts = [f"{request.method} {request.raw_path}", f"query: {dict(request.query)}"]
    parts += [f"body: {body.decode(errors='replace')}"]
    for value in request.query.values():
        parts += [value, quote(value, safe=""), quote(value), quote_plus(value, safe="/")]
    try:
        sent = json.loads(body)["account"]["credentials"]["password"]
    except (ValueError, KeyError, TypeError):
        sent = None
    if isinstance(sent, str):
        raw = base64.b64decode(sent)
        for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
            parts += [encoded.decode(), encoded.decode().rstrip("=")]
        parts += [raw.decode(), quote(sent, safe=""), quote_plus(sent)]
    return "\n".join(parts)


async def _echoing(request: web.Request) -> web.StreamResponse:
    body = await request.read()
    echo = _echo(request, body)
    path = request.path
    if request.method == "GET":
        return web.Response(status=500, text=echo)
    if path.startswith("/api/accounts/"):
        return web.json_response({"errors": [{"error": echo}]}, status=422)
    if path == "/clients/1000.json":
        return web.json_response({"message": echo, "code": 42}, status=422)
    if path == "/clients/1001.json":
        return web.Response(status=500, text=echo)
    return web.Response(status=502, text=f"<html><body><pre>{echo}</pre></body></html>")


def _fleet(tmp_path: Path) -> Fleet:
    fleet = Fleet(tmp_path, 3).write()
    text = fleet.desired.read_text().replace(
        "  city: Lisboa\n", "  city: Lisboa\n  password: ${ACCOUNT_PASSWORD}\n"
    )
    fleet.desired.write_text(text)
    return fleet


def test_echoed_requests_are_shown_redacted(tmp_path: Path) -> None:
    fleet = _fleet(tmp_path)
    file = ["-f", str(fleet.desired)]
    with serving(_echoing) as base_url:
        env = {**environment(base_url), **SENTINEL_ENV}
        plan = run_cli(["-v", "plan", *file, "--refresh"], env)
        apply = run_cli(["-v", "apply", *file, "--auto-approve"], env)
    assert plan.exit_code == 1, plan.output
    assert apply.exit_code == 3, apply.output
    for result in (plan, apply):
        for text in (result.stdout, result.stderr):
            assert leaks(text) == [], text
    # The servers' text was shown, redacted, not dropped.
    assert "HTTP 500" in plan.stderr and "(sensitive)" in plan.stderr, plan.stderr
    for status in ("HTTP 422", "HTTP 500", "HTTP 502"):
        assert status in apply.stdout, apply.stdout
    assert "(sensitive)" in apply.stdout


def _filler(size: int, piece: bytes) -> Iterator[bytes]:
    chunk = piece * (65536 // len(piece))
    sent = 0
    while sent < size:
        part = chunk[: size - sent]
        sent += len(part)
        yield part


async def _huge_errors(request: web.Request) -> web.StreamResponse:
    await request.read()
    if request.path == "/clients/1000.json":
        return await stream(request, _filler(HUGE, b"error "), status=422)
    if request.path == "/clients/1001.json":
        message = "x" * LARGE
        return web.json_response({"message": message, "code": 7}, status=422)
    return web.json_response({})


def test_a_huge_error_answer_is_shown_as_a_bounded_message(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, 2).write()
    with serving(_huge_errors) as base_url:
        env = environment(base_url, RECONCILER_MAX_ATTEMPTS="1")
        result = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)
    output = result.stdout + result.stderr
    assert result.exit_code == 3, output[:2000]
    assert len(output) < 10_000, f"{len(output):,} characters: {output[:2000]}"
    assert "PUT /clients/1000.json" in output and "PUT /clients/1001.json" in output
    assert "cut" in output, output


def test_the_cli_redacts_every_error_and_log_record_it_shows() -> None:
    # The last line of defence, behind the client: whatever an error or a log record carries,
    # the configured secrets are redacted before they are printed.
    @click.command()
    @exits_cleanly
    def leaky() -> None:
        in_play().add(AT_PASSWORD)
        logging.getLogger("reconciler.test").warning("sent %s", quote_plus(API_KEY))
        encoded = base64.urlsafe_b64encode(AT_PASSWORD.encode()).decode()
        raise ReconcilerError(f"{API_KEY} {quote(API_KEY, safe='')} {encoded}")

    @click.command()
    def with_logging() -> None:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, force=True)
        click.get_current_context().invoke(leaky)

    env = {"INVOICEXPRESS_API_KEY": API_KEY}
    result = CliRunner().invoke(with_logging, [], env=env, catch_exceptions=False)
    assert result.exit_code == 1
    assert "sent (sensitive)" in result.stderr
    assert "error: (sensitive) (sensitive) (sensitive)" in result.stderr, result.stderr
    assert leaks(result.stderr) == []
