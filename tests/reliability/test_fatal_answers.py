"""Answers that doom the rest of an apply stop it: a 401 ends it at once, the same failure
repeated on one kind of call stops that kind, and each failure is reported once."""

from __future__ import annotations

from pathlib import Path

from reconciler.sandbox import Sandbox

from .conftest import API_KEY, Fleet, environment, run_cli

CONCURRENCY = 4


def test_a_wrong_api_key_ends_the_apply_after_the_calls_in_flight(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, size=60).write()
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        env = environment(
            base_url, INVOICEXPRESS_API_KEY="wrong-key", RECONCILER_CONCURRENCY=str(CONCURRENCY)
        )
        result = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)
        answered = [r for r in sandbox.requests if r.status == 401]

    assert result.exit_code == 3, result.output
    assert 1 <= len(answered) <= CONCURRENCY  # only the calls already in flight
    assert len(sandbox.requests) == len(answered)
    failed = len(answered)
    skipped = 2  # the registration and the default sequence wait on the account update
    not_attempted = fleet.calls - failed - skipped
    assert f"not attempted: {not_attempted} calls: the API refused the API key" in result.output
    assert result.output.count("check INVOICEXPRESS_API_KEY") == 1
    assert f"{failed} failed, {skipped} skipped, {not_attempted} not attempted." in result.output
    assert fleet.known().resources == {}


def test_the_same_failure_on_every_client_stops_the_clients_only(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, size=30).write()
    data = fleet.sandbox_data()
    data["clients"] = [c for c in data["clients"] if c["id"] < 1000]  # every client 404s
    sandbox = Sandbox(api_key=API_KEY, data=data, rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url, RECONCILER_CONCURRENCY="1")
        result = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)
        client_puts = [r for r in sandbox.requests if r.path.startswith("/clients/")]

    assert result.exit_code == 3, result.output
    assert len(client_puts) == 3
    assert "not attempted: 27 calls: 3 update client calls failed the same way" in result.output
    assert "Apply: 3 succeeded, 3 failed, 0 skipped, 27 not attempted." in result.output
    for number in (1000, 1001, 1002):  # each failure reported once, with its message, in the
        # report on stdout and on its progress line on stderr
        assert result.stdout.count(f"failed: update client {number}:") == 1
        assert result.stderr.count(f"failed: update client {number}: PUT") == 1
    known = fleet.known()
    assert {"account:12345", "registration:146090", "default_sequence"} <= set(known.resources)
