"""Each account's settings (the API's and the tool's) are read once per run, whichever parts of
the command ask for them: the redaction of output, the inputs' checks, the digest key, the
client, the lock and the fleet's bounds all share one reading.

The one function that reads settings from the variables and the settings file is wrapped with
a counter that still does the real work; the commands run against the sandbox over HTTP.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler import settings
from reconciler.settings import account_suffix
from tests.support.cli_env import ROOT, Env

Reads = Counter[tuple[str, str | None]]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[Reads]:
    """How often each settings class was read, by the account suffix it was read for."""
    found: Reads = Counter()
    real = settings.Environment.read

    def counted(self: settings.Environment, cls: type[Any], *args: Any) -> Any:
        found[cls.__name__, args[1]] += 1
        return real(self, cls, *args)

    monkeypatch.setattr(settings.Environment, "read", counted)
    yield found


def _once_each(reads: Reads, *suffixes: str | None) -> None:
    expected = {(cls, suffix) for cls in ("ApiValues", "ToolValues") for suffix in suffixes}
    assert set(reads) == expected, reads
    assert all(count == 1 for count in reads.values()), reads


def test_a_plan_reads_the_settings_once(env: Env, reads: Reads) -> None:
    result = env.run("plan", "-f", str(env.desired))
    assert result.exit_code == 0, result.output
    _once_each(reads, None)


def test_an_apply_reads_the_settings_once(env: Env, reads: Reads) -> None:
    result = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert any(method != "GET" for method, _ in env.calls()), env.calls()
    _once_each(reads, None)


def test_a_fleet_plan_reads_each_accounts_settings_once(env: Env, reads: Reads) -> None:
    accounts = env.folder / "accounts"
    accounts.mkdir()
    names = ("lisboa", "porto", "faro")
    for name in names:
        shutil.copy(ROOT / "state.example.yaml", accounts / f"{name}.yaml")
    result = env.run("plan", "-f", str(accounts))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("== ") == len(names), result.stdout
    # The run's own (no suffix: the redaction of output, the fleet's bounds), then each
    # account's, each once.
    _once_each(reads, None, *(account_suffix(name) for name in names))


def test_the_settings_file_is_read_once_and_the_settings_from_it_once(
    env: Env, reads: Reads, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path.parent / f"{tmp_path.name}-outside.env"
    env_file.write_text("RECONCILER_CONCURRENCY=3\n", "utf-8")
    files: list[Path] = []
    real = settings._read_env_file

    def read_env_file(path: Path) -> str:
        files.append(path)
        return real(path)

    monkeypatch.setattr(settings, "_read_env_file", read_env_file)
    result = env.run("plan", "-f", str(env.desired), "--env-file", str(env_file))
    assert result.exit_code == 0, result.output
    assert files == [env_file]
    _once_each(reads, None)
