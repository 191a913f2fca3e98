"""Secrets never leak: every command, failures included, with sentinel secrets, scanned everywhere.

Each run uses ``-v`` (debug logging to stderr), and log records of the package and the libraries
it uses are captured at DEBUG as well. The sentinels are searched for raw, Base64-encoded (at any
alignment) and percent-encoded in stdout, stderr, the logs, and every file the runs leave
behind: known state, journal, backup, lock owner record.
"""

from __future__ import annotations

import base64
import logging
import signal
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from pydantic import SecretStr

from reconciler.api.api_client import ApiClient
from reconciler.errors import ApiError, SettingsError
from reconciler.sandbox import Faults, Sandbox
from reconciler.settings import ToolSettings
from tests.support.cli_process import environment, run_cli, spawn
from tests.support.leaks import forms
from tests.support.many_clients import Fleet

API_KEY = "SENTINEL-apikey-7Qx9zW"
AT_PASSWORD = "AtSentinel#42"
ACCOUNT_PASSWORD = "AcctSentinel#9"
SECRETS = (API_KEY, AT_PASSWORD, ACCOUNT_PASSWORD)
SENTINEL_ENV = {
    "INVOICEXPRESS_API_KEY": API_KEY,
    "AT_PASSWORD": AT_PASSWORD,
    "ACCOUNT_PASSWORD": ACCOUNT_PASSWORD,
}
LOGGERS = ("reconciler", "aiohttp", "asyncio", "filelock", "tenacity", "aiolimiter")


FORMS = {form: secret for secret in SECRETS for form in forms(secret)}


def leaks(text: str) -> list[str]:
    return sorted({f"{FORMS[form]!r} as {form!r}" for form in FORMS if form in text})


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(logging.Formatter().format(record))


@pytest.fixture
def logs() -> Iterator[Capture]:
    """Debug records of every logger involved; ``basicConfig(force=True)`` leaves these alone."""
    capture = Capture()
    saved = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.setLevel(logging.DEBUG)
        logger.addHandler(capture)
    yield capture
    for logger, level in saved:
        logger.removeHandler(capture)
        logger.setLevel(level)


def _desired(fleet: Fleet) -> None:
    text = fleet.desired.read_text().replace(
        "  city: Lisboa\n", "  city: Lisboa\n  password: ${ACCOUNT_PASSWORD}\n"
    )
    fleet.desired.write_text(text)


def _rename_client_42(data: dict[str, Any], name: str) -> None:
    next(c for c in data["clients"] if c["id"] == 42)["name"] = name


def test_sentinels_are_detectable() -> None:
    # The scanner itself: it finds each form it claims to find.
    for secret in SECRETS:
        assert leaks(f"x{secret}y")
        assert leaks(base64.b64encode(f"user:{secret}".encode()).decode())
        assert leaks(f"?p={quote(secret, safe='')}&")


def test_no_command_leaks_a_secret(tmp_path: Path, logs: Capture) -> None:
    fleet = Fleet(tmp_path, 3).write()
    _desired(fleet)
    outputs: list[str] = []
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    file = ["-f", str(fleet.desired)]

    def run(*args: str, expect: int, **extra: str) -> None:
        env = {**environment(base_url), **SENTINEL_ENV, **extra}
        result = run_cli(["-v", *args], env)
        assert result.exit_code == expect, result.output
        outputs.extend([result.stdout, result.stderr])

    with sandbox.running_in_thread() as base_url:
        run("validate", *file, expect=0)
        run("plan", *file, expect=0)
        run("plan", *file, "--show-requests", "--detailed-exitcode", expect=2)
        # A failing apply: one client refused (422), with faults on the way (retries, drops).
        sandbox.edit(lambda data: _rename_client_42(data, "Cliente 1001, Lda"))
        sandbox.faults = Faults(error_rate=0.3, drop_rate=0.2, seed=3)
        run(
            "apply",
            *file,
            "--auto-approve",
            expect=3,
            RECONCILER_RETRY_BACKOFF="0.01",
            RECONCILER_MAX_ATTEMPTS="20",
        )
        sandbox.faults = Faults()
        sandbox.edit(lambda data: _rename_client_42(data, "Client Name"))
        run("apply", *file, "--auto-approve", expect=0)
        # A changed AT password: planned, applied, stored only as a digest.
        run(
            "apply",
            *file,
            "--auto-approve",
            "--show-requests",
            expect=0,
            AT_PASSWORD="AtSentinel#43",
        )
        # The wrong key is answered 401, and the message doesn't echo it.
        fleet.desired.write_text(fleet.desired.read_text().replace("Cidade 1000", "Mudou"))
        run("apply", *file, "--auto-approve", expect=3, INVOICEXPRESS_API_KEY=API_KEY + "x")
        # A saved plan shown, the known state read, and the JSON documents.
        saved = str(tmp_path / "plan.json")
        run("plan", *file, "--out", saved, expect=0)
        run("show", saved, "--show-requests", expect=0)
        run("show", saved, "--format", "json", expect=0)
        run("apply", *file, "--auto-approve", "--verify", "--format", "json", expect=0)
        run("refresh", *file, "--format", "json", expect=0)
        run("validate", *file, "--format", "json", expect=0)
        run("state", "list", *file, expect=0)
        run("state", "show", "account", *file, expect=0)
        fleet.desired.write_text(fleet.desired.read_text().replace("Mudou", "Mudou outra vez"))
        # An apply killed while it holds the lock leaves its owner record behind.
        sandbox.faults = Faults(latency=0.5)
        env = {**environment(base_url), **SENTINEL_ENV}
        child = spawn(["-v", "apply", *file, "--auto-approve"], env, tmp_path)
        lock_info = fleet.state_file.with_name(fleet.state_file.name + ".lock.info")
        deadline = time.monotonic() + 30
        while not lock_info.exists():
            assert child.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        outputs.append(lock_info.read_text())
        child.send_signal(signal.SIGKILL)
        child.wait()
        sandbox.faults = Faults()
    # No server at all: connection refused, reported per call.
    run(
        "apply",
        *file,
        "--auto-approve",
        expect=3,
        RECONCILER_MAX_ATTEMPTS="2",
        RECONCILER_RETRY_BACKOFF="0.01",
    )
    run("force-unlock", *file, expect=0)
    run("plan", *file, "--sandbox", "--show-requests", expect=0)
    # The bundled sandbox's demo data lacks the fleet's clients: those calls fail (404).
    run("apply", *file, "--sandbox", "--auto-approve", expect=3)

    sandbox_data = tmp_path / ".reconciler" / "sandbox" / "state.data.json"
    assert sandbox_data.exists()
    files = {
        path: path.read_text(errors="replace")
        for path in tmp_path.rglob("*")
        # The sandbox's own database stores the AT password as the real service does.
        if path.is_file() and path != sandbox_data
    }
    assert any(p.name.endswith(".state.json.backup") for p in files)
    assert any(p.name.endswith(".journal") for p in files) or any(
        p.name.endswith(".state.json") for p in files
    )
    for text in [*outputs, *logs.lines]:
        assert leaks(text) == [], text
    for path, text in files.items():
        assert leaks(text) == [], path
    assert any("PUT /clients/1000.json" in line for line in logs.lines)


def _described(error: BaseException) -> str:
    """Everything an exception shows: str, repr, formatted traceback, and its whole chain."""
    parts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    seen = error.__context__ or error.__cause__
    while seen is not None:
        parts += [str(seen), repr(seen), repr(getattr(seen, "args", ""))]
        seen = seen.__context__ or seen.__cause__
    return "\n".join(parts)


async def _errors(base_url: str, key: str) -> list[ApiError]:
    settings = ToolSettings(max_attempts=2, retry_backoff=0.01, rate_limit=0)
    found: list[ApiError] = []
    async with ApiClient(base_url, SecretStr(key), settings) as client:
        assert key not in repr(client) and key not in str(client.__dict__.get("_api_key"))
        for path in ("/clients/42.json", "/clients/999.json"):
            try:
                await client.request("PUT", path, body={"client": {"name": ""}})
            except ApiError as error:
                found.append(error)
    return found


async def test_exceptions_never_show_the_api_key() -> None:
    errors: list[ApiError] = []
    sandbox = Sandbox(api_key=API_KEY, rate_limit=0)
    async with sandbox.running() as base_url:
        errors += await _errors(base_url, API_KEY)  # 422 and 404
        errors += await _errors(base_url, API_KEY + "x")  # 401
        sandbox.faults = Faults(drop_rate=1.0)
        errors += await _errors(base_url, API_KEY)  # dropped connections
        sandbox.faults = Faults(error_rate=1.0, seed=1)
        errors += await _errors(base_url, API_KEY)  # 500/503, retries exhausted
    errors += await _errors(base_url, API_KEY)  # connection refused
    assert {e.status for e in errors} >= {0, 401, 404, 422}
    assert {e.status for e in errors} & {500, 503}
    for error in errors:
        assert leaks(_described(error)) == [], _described(error)


def test_secret_settings_never_show_their_values() -> None:
    settings = ToolSettings(digest_key=SecretStr(API_KEY))
    assert leaks(repr(settings)) == [] and leaks(str(settings.model_dump())) == []


def test_the_client_refuses_plain_http_to_a_remote_host() -> None:
    for url in ("http://api.example.com", "http://10.0.0.1:8080", "ftp://127.0.0.1"):
        with pytest.raises(SettingsError, match="refusing base URL"):
            ApiClient(url, SecretStr(API_KEY), ToolSettings())
    ApiClient("http://127.0.0.1:1", SecretStr(API_KEY), ToolSettings())
    ApiClient("https://account.app.invoicexpress.com", SecretStr(API_KEY), ToolSettings())
