"""Faults survived: an apply through errors, dropped connections, 429 bursts and lost answers
converges exactly, and the client-side rate limiter keeps a burst under the account's limit."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from reconciler.api.api_client import ApiClient
from reconciler.errors import ApiError
from reconciler.sandbox import DROPPED, Faults, Sandbox
from reconciler.settings import ToolSettings
from tests.support.cli_process import API_KEY, AT_PASSWORD, environment, run_cli
from tests.support.many_clients import SEQUENCE, Fleet

# Short waits so that the test runs in seconds; the server's Retry-After (1 s) is still honoured.
FAST_RETRIES = {
    "RECONCILER_RETRY_BACKOFF": "0.01",
    "RECONCILER_RETRY_MAX_WAIT": "0.05",
    "RECONCILER_MAX_ATTEMPTS": "25",
    "RECONCILER_CONCURRENCY": "8",
}


def test_apply_through_injected_faults_converges_exactly(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, 60).write()
    faults = Faults(
        error_rate=0.2,
        drop_rate=0.1,
        lost_rate=0.1,
        burst429_rate=0.08,
        burst429_length=3,
        seed=7,
    )
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0, faults=faults)
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url, **FAST_RETRIES)
        result = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)
        assert result.exit_code == 0, result.output
        assert f"Apply: {fleet.calls} succeeded, 0 failed, 0 skipped." in result.stdout
        statuses = Counter(r.status for r in sandbox.requests)
        # The faults did happen, and plenty of them.
        assert statuses[500] + statuses[503] >= 10
        assert statuses[DROPPED] >= 10
        assert statuses[429] >= 3
        assert fleet.converged(sandbox) == []
        assert len(fleet.done(fleet.known())) == fleet.calls  # the state records everything
        sandbox.faults = Faults()
        sandbox.clear_requests()
        again = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)
    assert again.exit_code == 0
    assert "No changes." in again.stdout
    assert sandbox.requests == []


def test_a_flaky_server_answering_short_429s_is_paused_for_not_learned_from(
    tmp_path: Path,
) -> None:
    """15 % errors, 5 % 429s with ``Retry-After: 1``, 10 % lost answers, at the default rate
    limit: every short 429 is a pause, none a new ceiling, and one apply converges."""
    fleet = Fleet(tmp_path, 200).write()
    faults = Faults(error_rate=0.15, burst429_rate=0.05, burst429_length=1, lost_rate=0.1, seed=11)
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0, faults=faults)
    with sandbox.running_in_thread() as base_url:
        result = run_cli(
            ["apply", "-f", str(fleet.desired), "--auto-approve"],
            environment(base_url, **FAST_RETRIES, RECONCILER_RATE_LIMIT="780"),
        )
        statuses = Counter(r.status for r in sandbox.requests)
        converged = fleet.converged(sandbox)

    assert result.exit_code == 0, result.output
    assert statuses[429] >= 5 and statuses[500] + statuses[503] >= 20
    assert converged == []
    assert len(fleet.done(fleet.known())) == fleet.calls


def test_a_registration_whose_answer_was_lost_and_then_answered_409_counts_as_success(
    tmp_path: Path,
) -> None:
    desired = tmp_path / "state.yaml"
    desired.write_text(f"sequences:\n  register: [{SEQUENCE}]\n")
    # The first answer is lost after the registration was made; the second is not (seed 1).
    sandbox = Sandbox(api_key=API_KEY, rate_limit=0, faults=Faults(lost_rate=0.5, seed=1))

    def give_credentials(data: dict[str, Any]) -> None:
        data["account"]["credentials"] = {
            "username": "999999990/1",
            "password": "YXQtcGFzcy0xMjM=",
            "type": "AT",
            "context": "Sequences",
        }

    sandbox.edit(give_credentials)
    with sandbox.running_in_thread() as base_url:
        result = run_cli(
            ["apply", "-f", str(desired), "--auto-approve"],
            environment(base_url, AT_PASSWORD=AT_PASSWORD, **FAST_RETRIES),
        )
    assert result.exit_code == 0, result.output
    register = f"/sequences/{SEQUENCE}/register.json"
    assert [(r.path, r.status) for r in sandbox.requests] == [
        (register, DROPPED),
        (register, 409),
    ]
    assert "succeeded: register sequence 146090: already registered" in result.stderr
    state = json.loads((tmp_path / ".reconciler" / "state.state.json").read_text())
    assert state["resources"][f"registration:{SEQUENCE}"]["answer"]["conflict"] == "005"


async def _burst(base_url: str, limit: int, requests: int, seconds: float) -> list[ApiError]:
    """Fire ``requests`` GETs at once; stop what is still waiting after ``seconds``."""
    settings = ToolSettings(rate_limit=limit, max_attempts=1, concurrency=64)
    errors: list[ApiError] = []
    async with ApiClient(base_url, SecretStr(API_KEY), settings) as client:
        tasks = [
            asyncio.create_task(client.request("GET", "/clients/42.json")) for _ in range(requests)
        ]
        done, pending = await asyncio.wait(tasks, timeout=seconds)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        errors = [e for t in done if isinstance(e := t.exception(), ApiError)]
    return errors


@pytest.mark.parametrize("per_minute", [30, 600])
async def test_the_client_side_limiter_keeps_a_burst_under_the_limit(per_minute: int) -> None:
    sandbox = Sandbox(api_key=API_KEY, rate_limit=per_minute)
    async with sandbox.running() as base_url:
        errors = await _burst(base_url, per_minute, requests=per_minute // 10 + 40, seconds=1)
    assert errors == []
    assert all(r.status == 200 for r in sandbox.requests)
    # Whatever the timing, a minute's budget is spread: at most a bucket plus the drain rate.
    bucket = max(1.0, per_minute / 60)
    assert 1 <= len(sandbox.requests) <= bucket + (per_minute - bucket) / 60 * 1 + 1


async def test_without_the_limiter_the_same_burst_meets_429s() -> None:
    sandbox = Sandbox(api_key=API_KEY, rate_limit=30)
    async with sandbox.running() as base_url:
        errors = await _burst(base_url, 0, requests=43, seconds=2)
    assert {e.status for e in errors} == {429}
    assert len(errors) == 13
