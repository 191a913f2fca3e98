"""Runners sharing one database: two applies of one fleet at once make each call once."""

from __future__ import annotations

from pathlib import Path

from reconciler.storage.postgres_lock import DatabaseLock
from tests.support.cli_process import run_cli, spawn
from tests.support.fleet_accounts import make_accounts, serving


def test_two_applies_started_at_once_make_each_call_exactly_once(
    tmp_path: Path, postgres_url: str
) -> None:
    accounts = make_accounts(tmp_path)
    args = [
        "apply",
        "-f",
        "accounts",
        "--auto-approve",
        "--state-url",
        postgres_url,
        "--lock-timeout",
        "300",
    ]
    with serving(accounts) as env:
        runners = [spawn(args, env, tmp_path) for _ in range(2)]
        codes = [runner.wait(timeout=600) for runner in runners]
        output = (tmp_path / "child.out").read_text()
        assert codes == [0, 0], output
        for account in accounts:
            puts = account.puts()
            assert sorted(puts.values()) == [1] * account.shape.calls, (account.name, puts)
            assert account.shape.converged(account.sandbox) == [], account.name
        plan = run_cli(
            [
                "plan",
                "-f",
                str(tmp_path / "accounts"),
                "--state-url",
                postgres_url,
                "--detailed-exitcode",
            ],
            env,
        )
    assert plan.exit_code == 0, plan.output
    assert postgres_url.split("@")[0] not in output
    assert not (tmp_path / "accounts" / ".reconciler").exists(), "a state file was written"


def test_an_account_whose_lock_is_held_is_reported_and_the_others_apply(
    tmp_path: Path, postgres_url: str
) -> None:
    accounts = make_accounts(tmp_path)
    held = next(account for account in accounts if account.name == "porto")
    with (
        serving(accounts) as env,
        DatabaseLock(postgres_url, "porto").held("another runner", 0),
    ):
        result = run_cli(
            [
                "apply",
                "-f",
                str(tmp_path / "accounts"),
                "--auto-approve",
                "--state-url",
                postgres_url,
            ],
            env,
        )
    assert result.exit_code == 1, result.output
    assert "error: porto:" in result.stderr, result.stderr
    assert held.accepted() == 0
    for account in accounts:
        if account is not held:
            assert account.shape.converged(account.sandbox) == [], account.name
