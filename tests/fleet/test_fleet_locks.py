"""File locks in a fleet: a lock an apply left behind on one account is taken over and said."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli_process import run_cli
from tests.support.fleet_accounts import make_accounts, serving
from tests.support.lock_holder import hold_lock, kill


def test_a_lock_left_by_a_killed_apply_on_one_account_is_noted_and_taken_over(
    tmp_path: Path,
) -> None:
    accounts = make_accounts(tmp_path)
    faro = next(account for account in accounts if account.name == "faro")
    child = hold_lock(faro.state_file())
    kill(child)
    with serving(accounts) as env:
        result = run_cli(["apply", "-f", str(tmp_path / "accounts"), "--auto-approve"], env)
    assert result.exit_code == 0, result.output
    assert f"note: faro: the previous apply (pid {child.pid} on" in result.stderr, result.stderr
    assert result.stderr.count("ended without releasing its lock") == 1
    for account in accounts:
        assert account.shape.converged(account.sandbox) == [], account.name
