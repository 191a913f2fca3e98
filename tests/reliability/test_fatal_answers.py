"""Answers that doom the rest of an apply stop it: a 401 ends it at once, the same failure
repeated on one kind of call stops that kind, and failures alike are reported once, with a count."""

from __future__ import annotations

from pathlib import Path

from reconciler.sandbox import Sandbox
from tests.support.cli_process import API_KEY, environment, run_cli
from tests.support.many_clients import Fleet


def test_a_wrong_api_key_costs_one_request_and_one_message(tmp_path: Path) -> None:
    """The apply starts with one call alone: the 401 it meets ends the apply before any other
    call is sent, whatever the concurrency."""
    fleet = Fleet(tmp_path, size=60).write()
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url, INVOICEXPRESS_API_KEY="wrong-key", RECONCILER_CONCURRENCY="8")
        result = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)
        statuses = [r.status for r in sandbox.requests]

    assert result.exit_code == 3, result.output
    assert statuses == [401]
    failures = [line for line in result.output.splitlines() if line.startswith("  failed:")]
    assert len(failures) == 1 and "HTTP 401" in failures[0], result.output
    not_attempted = fleet.calls - 1 - 2
    assert f"not attempted: {not_attempted} calls: the API refused the API key" in result.output
    assert result.output.count("check INVOICEXPRESS_API_KEY") == 1
    assert f"1 failed, 2 skipped, {not_attempted} not attempted." in result.output
    assert fleet.known().resources == {}


def test_identical_failures_are_reported_once_with_a_count(tmp_path: Path) -> None:
    fleet = Fleet(tmp_path, size=30).write()
    data = fleet.sandbox_data()
    data["clients"] = [c for c in data["clients"] if c["id"] < 1000]  # every client 404s
    sandbox = Sandbox(api_key=API_KEY, data=data, rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url, RECONCILER_CONCURRENCY="8")
        result = run_cli(["apply", "-f", str(fleet.desired), "--auto-approve"], env)
        failed = sum(1 for r in sandbox.requests if r.status == 404)

    assert result.exit_code == 3, result.output
    assert failed >= 3
    failures = [line for line in result.output.splitlines() if line.startswith("  failed:")]
    assert len(failures) == 1, result.output
    assert failures[0].startswith("  failed: update client 1000, update client 1001")
    assert failures[0].endswith(f"HTTP 404: Not found ({failed} calls)")
    assert f"Apply: 3 succeeded, {failed} failed, 0 skipped" in result.output


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
    # The three identical failures are reported together, once, with their message ...
    assert (
        "failed: update client 1000, update client 1001 and update client 1002: "
        "HTTP 404: Not found (3 calls)"
    ) in result.stdout
    # ... and, off a terminal, each on its progress line on stderr as it happens.
    for number in (1000, 1001, 1002):
        assert result.stderr.count(f"failed: update client {number}: PUT") == 1
    known = fleet.known()
    assert {"account:12345", "registration:146090", "default_sequence"} <= set(known.resources)
