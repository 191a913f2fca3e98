"""``apply_and_verify``: a session's plan applied through a client of its own, then read back.

Against the sandbox over HTTP: every outcome reaches the listener; asked to, the apply reads
back what succeeded and names each field the account does not hold as sent (the sandbox
rewrites a city as it stores it); it reports the request rate the client settled at, and logs
it. A server's text reaches an outcome only with the run's secrets redacted, those of the
run's own environment included.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from pathlib import Path

import pytest
from aiohttp import web
from pydantic import SecretStr

from reconciler.core.plan import build_plan
from reconciler.core.report import ApplyReport, Outcome, Status
from reconciler.core.secrets import DigestKey
from reconciler.core.verification import Verification
from reconciler.desired.document import load_desired
from reconciler.sandbox import Sandbox
from reconciler.settings import ToolSettings
from reconciler.storage.state_file import StateStore
from reconciler.workflows.apply import apply_and_verify
from reconciler.workflows.session import Session
from tests.support.cli_process import API_KEY
from tests.support.hostile import serving
from tests.support.many_clients import Fleet

CLIENTS = (1000, 1001, 1002)
TOKEN = "ghp-only-in-this-runs-environment-7f3a"


def _session(folder: Path, environ: Mapping[str, str], tool: ToolSettings) -> Session:
    lines = ["clients:"]
    for number in CLIENTS:
        lines += [f"  - id: {number}", f"    code: C{number}", f"    name: Cliente {number}"]
        lines.append(f"    city: Porto {number}")
    (folder / "state.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    desired = load_desired(folder / "state.yaml", dict(environ))
    store = StateStore(folder / "state.json")
    known = store.load()
    plan = build_plan(desired, known, DigestKey(API_KEY))
    return Session(desired, store, known, plan, tool, environ=environ)


def _run(
    session: Session, base_url: str, heard: list[Outcome], verify_after: bool
) -> tuple[ApplyReport, Verification | None]:
    key = SecretStr(API_KEY)
    return asyncio.run(apply_and_verify(session, base_url, key, heard.append, verify_after))


def test_the_read_back_names_each_field_not_held_as_sent_and_the_rate_is_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="reconciler.workflows.apply")
    session = _session(tmp_path, {}, ToolSettings(rate_limit=600, concurrency=2))
    sandbox = Sandbox(api_key=API_KEY, data=Fleet(tmp_path, len(CLIENTS)).sandbox_data())
    sandbox.rate_limit = 0
    sandbox.rewrites = {"client.city": lambda city: str(city).upper()}
    heard: list[Outcome] = []
    with sandbox.running_in_thread() as base_url:
        report, verification = _run(session, base_url, heard, True)

    assert report.ok and len(report.outcomes) == len(CLIENTS)
    assert sorted(o.call.resource for o in heard) == [f"client:{n}" for n in CLIENTS]
    assert sorted(report.state.resources) == [f"client:{n}" for n in CLIENTS]
    assert verification is not None and verification.checked == len(CLIENTS)
    found = sorted((n.call.resource, n.field, n.sent, n.live) for n in verification.not_converged)
    assert found == [(f"client:{n}", "city", f"Porto {n}", f"PORTO {n}") for n in CLIENTS]
    assert report.pace is not None
    logged = [r.getMessage() for r in caplog.records if r.name == "reconciler.workflows.apply"]
    assert len(logged) == 1 and re.fullmatch(r"request rate at the end: \d+/min", logged[0])


def test_without_a_read_back_or_a_rate_limit_the_apply_reports_neither(tmp_path: Path) -> None:
    session = _session(tmp_path, {}, ToolSettings(rate_limit=0, concurrency=2))
    sandbox = Sandbox(api_key=API_KEY, data=Fleet(tmp_path, len(CLIENTS)).sandbox_data())
    sandbox.rate_limit = 0
    heard: list[Outcome] = []
    with sandbox.running_in_thread() as base_url:
        report, verification = _run(session, base_url, heard, False)
    assert report.ok and len(heard) == len(CLIENTS)
    assert (verification, report.pace) == (None, None)
    assert session.store.load() == report.state


def test_a_servers_text_is_shown_without_the_secrets_of_the_runs_environment(
    tmp_path: Path,
) -> None:
    async def echo(request: web.Request) -> web.Response:
        body = {"errors": [{"error": f"Refused, the token {TOKEN} is not allowed here"}]}
        return web.json_response(body, status=422)

    environ = {"GITHUB_TOKEN": TOKEN, "INVOICEXPRESS_API_KEY": API_KEY}
    session = _session(tmp_path, environ, ToolSettings(rate_limit=0, concurrency=1))
    heard: list[Outcome] = []
    with serving(echo) as base_url:
        report, _ = _run(session, base_url, heard, False)
    assert [o.status for o in report.outcomes] == [Status.FAILED] * len(CLIENTS)
    for outcome in report.outcomes:
        assert "the token (sensitive) is not allowed" in outcome.detail, outcome.detail
        assert TOKEN not in outcome.detail + outcome.cause
