"""Shards: ``--shard K/N`` takes a stable share of a fleet's accounts by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reconciler.errors import SettingsError
from reconciler.workflows.fleet_run import Shard
from tests.support.cli_process import run_cli
from tests.support.fleet_accounts import headings, make_accounts, serving

NAMES = tuple(f"conta-{number:02d}" for number in range(20))


def _fleet_of(folder: Path, names: tuple[str, ...]) -> Path:
    accounts = folder / "accounts"
    accounts.mkdir()
    for name in names:
        (accounts / f"{name}.yaml").write_text("clients: []\n")
    return accounts


def _validated(output: str) -> list[str]:
    return [Path(line.split(":")[0]).stem for line in output.splitlines() if ": valid" in line]


@pytest.mark.parametrize("count", [2, 3, 7])
def test_the_shards_of_a_fleet_cover_every_account_exactly_once(tmp_path: Path, count: int) -> None:
    accounts = _fleet_of(tmp_path, NAMES)
    seen: list[str] = []
    for index in range(1, count + 1):
        result = run_cli(["validate", "-f", str(accounts), "--shard", f"{index}/{count}"], {})
        assert result.exit_code == 0, result.output
        seen += _validated(result.stdout)
    assert sorted(seen) == sorted(NAMES)


def test_an_accounts_shard_does_not_depend_on_the_other_accounts(tmp_path: Path) -> None:
    everyone = _validated(
        run_cli(["validate", "-f", str(_fleet_of(tmp_path, NAMES)), "--shard", "1/2"], {}).stdout
    )
    (tmp_path / "fewer").mkdir()
    fewer = _validated(
        run_cli(
            ["validate", "-f", str(_fleet_of(tmp_path / "fewer", NAMES[:7])), "--shard", "1/2"],
            {},
        ).stdout
    )
    assert fewer == [name for name in everyone if name in NAMES[:7]]


def test_shards_split_an_apply_between_two_jobs(tmp_path: Path) -> None:
    accounts = make_accounts(tmp_path)
    folder = str(tmp_path / "accounts")
    with serving(accounts) as env:
        first = run_cli(["apply", "-f", folder, "--shard", "1/2", "--auto-approve"], env)
        second = run_cli(["apply", "-f", folder, "--shard", "2/2", "--auto-approve"], env)
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert sorted(headings(first.stdout) + headings(second.stdout)) == sorted(
        account.name for account in accounts
    )
    for account in accounts:
        assert sorted(account.puts().values()) == [1] * account.shape.calls, account.name


@pytest.mark.parametrize("text", ["0/2", "3/2", "1/0", "a/b", "1/2/3", "１/2", " 1/2"])
def test_a_bad_shard_is_refused(text: str) -> None:
    with pytest.raises(SettingsError):
        Shard.parse(text)


def test_a_bad_shard_on_the_command_line_exits_1(tmp_path: Path) -> None:
    result = run_cli(["plan", "-f", str(_fleet_of(tmp_path, NAMES)), "--shard", "2/1"], {})
    assert result.exit_code == 1
    assert re.search(r"--shard 2/1: K must be between 1 and N", result.stderr)
