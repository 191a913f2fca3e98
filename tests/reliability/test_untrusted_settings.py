"""Files in the repository being planned cannot choose where the API key goes.

Two real servers run on loopback: the operator's sandbox and an "attacker" that records every
request. The repository's files (a ``.env`` in the working folder, a settings file named by
``--env-file`` inside the repository, account files, symlinks) are the attacker's; the process
environment is the operator's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from reconciler.errors import InputError
from reconciler.sandbox import Sandbox, demo_data
from reconciler.workflows.repository import check_desired_path, repository_root
from tests.support.cli_process import run_cli
from tests.support.hostile import Seen, serving

API_KEY = "operator-key-0123456789"
# A client written without id: the plan looks it up on the live account, sending the key.
DESIRED = "clients:\n  - code: C-0044\n    name: Old Customer Ltd\n"


@dataclass
class Servers:
    """The operator's sandbox and the attacker's server, with what the attacker received."""

    sandbox: Sandbox
    operator_url: str
    attacker_url: str
    stolen: Seen

    def env(self, **extra: str) -> dict[str, str]:
        """The operator's environment: the sandbox as the account, with its key."""
        return {
            "INVOICEXPRESS_BASE_URL": self.operator_url,
            "INVOICEXPRESS_API_KEY": API_KEY,
            "RECONCILER_RATE_LIMIT": "0",
            "NO_COLOR": "1",
            **extra,
        }

    def operator_reads(self) -> int:
        return sum(1 for r in self.sandbox.requests if r.method == "GET")


@pytest.fixture
def servers() -> Iterator[Servers]:
    stolen = Seen()

    async def attacker(request: web.Request) -> web.StreamResponse:
        await stolen.note(request)
        return web.json_response({"clients": []})

    sandbox = Sandbox(api_key=API_KEY, data=demo_data(), rate_limit=0)
    with serving(attacker) as attacker_url, sandbox.running_in_thread() as operator_url:
        yield Servers(sandbox, operator_url, attacker_url, stolen)


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checked-out repository (it holds ``.git``) with one account in ``accounts/``; the
    working folder is its top."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "accounts").mkdir()
    (repo / "accounts" / "lisboa.yaml").write_text(DESIRED)
    monkeypatch.chdir(repo)
    for name in list(os.environ):
        if name.startswith(("INVOICEXPRESS_", "RECONCILER_")):
            monkeypatch.delenv(name)
    return repo


def _output(result: object) -> str:
    stdout = getattr(result, "stdout", "")
    stderr = getattr(result, "stderr", "")
    return f"{stdout}{stderr}"


def test_a_dotenv_in_the_working_folder_is_not_read(repository: Path, servers: Servers) -> None:
    (repository / ".env").write_text(f"INVOICEXPRESS_BASE_URL_LISBOA={servers.attacker_url}\n")
    result = run_cli(["plan", "-f", "accounts/"], servers.env())
    assert result.exit_code == 0, _output(result)
    assert servers.stolen.requests == []
    assert servers.operator_reads() >= 1  # the client was looked up where the operator said
    assert "update client 44" in _output(result)


def test_a_dotenv_is_read_when_the_environment_names_it(
    repository: Path, servers: Servers, tmp_path: Path
) -> None:
    operator = tmp_path / "operator.env"
    operator.write_text(f"INVOICEXPRESS_BASE_URL={servers.operator_url}\n")
    env = servers.env(RECONCILER_ENV_FILE=str(operator))
    del env["INVOICEXPRESS_BASE_URL"]
    result = run_cli(["plan", "-f", "accounts/lisboa.yaml"], env)
    assert result.exit_code == 0, _output(result)
    assert servers.operator_reads() >= 1


@pytest.mark.parametrize(
    "variable",
    [
        "INVOICEXPRESS_BASE_URL",
        "INVOICEXPRESS_BASE_URL_LISBOA",
        "invoicexpress_base_url",
        "export INVOICEXPRESS_BASE_URL",
    ],
)
def test_a_settings_file_inside_the_repository_may_not_set_the_base_url(
    repository: Path, servers: Servers, variable: str
) -> None:
    settings = repository / "ci" / "settings.env"
    settings.parent.mkdir()
    settings.write_text(f"RECONCILER_CONCURRENCY=2\n{variable}={servers.attacker_url}\n")
    env = servers.env(INVOICEXPRESS_ACCOUNT="lisboa")
    del env["INVOICEXPRESS_BASE_URL"]
    for files in (["-f", "accounts/lisboa.yaml"], ["-f", "accounts/"]):
        result = run_cli(["plan", *files, "--env-file", str(settings)], env)
        assert result.exit_code == 1, _output(result)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        name = variable.removeprefix("export ").upper()
        assert f"{settings}:2" in lines[0] and name in lines[0], lines[0]
        assert "RECONCILER_TRUST_ENV_FILE" in lines[0]
        assert servers.attacker_url.split("//")[1] not in _output(result)
    assert servers.stolen.requests == []
    assert servers.operator_reads() == 0


@pytest.mark.parametrize(
    "variable",
    [
        "INVOICEXPRESS_ACCOUNT",
        "INVOICEXPRESS_ACCOUNT_PORTO",
        "RECONCILER_STATE_URL",
        "RECONCILER_STATE_URL_LISBOA",
        "RECONCILER_ALLOWED_HOSTS",
        "RECONCILER_ALLOWED_VARS",
        "RECONCILER_TRUST_ENV_FILE",
        "RECONCILER_ALLOW_SYMLINKS",
    ],
)
def test_a_repository_file_may_not_choose_the_account_the_state_or_the_trust(
    repository: Path, servers: Servers, variable: str
) -> None:
    settings = repository / ".env"
    settings.write_text(f"{variable}=postgresql://attacker:hunter2@attacker.example/db\n")
    result = run_cli(["plan", "-f", "accounts/lisboa.yaml", "--env-file", ".env"], servers.env())
    assert result.exit_code == 1, _output(result)
    assert f".env:1: {variable}" in result.stderr
    assert "hunter2" not in _output(result) and "attacker.example" not in _output(result)
    assert servers.operator_reads() == 0


def test_without_git_the_desired_files_folder_is_the_repository(
    tmp_path: Path, servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "checkout"
    folder.mkdir()
    (folder / "state.yaml").write_text(DESIRED)
    (folder / "settings.env").write_text(f"INVOICEXPRESS_BASE_URL={servers.attacker_url}\n")
    monkeypatch.chdir(tmp_path)
    env = servers.env(RECONCILER_ENV_FILE=str(folder / "settings.env"))
    del env["INVOICEXPRESS_BASE_URL"]
    result = run_cli(["plan", "-f", str(folder / "state.yaml")], env)
    assert result.exit_code == 1, _output(result)
    assert "settings.env:1: INVOICEXPRESS_BASE_URL" in result.stderr
    assert servers.stolen.requests == []


def test_an_operators_file_outside_the_repository_may_set_the_base_url(
    repository: Path, servers: Servers, tmp_path: Path
) -> None:
    operator = tmp_path / "operator.env"
    operator.write_text(f"INVOICEXPRESS_BASE_URL={servers.operator_url}\n")
    env = servers.env()
    del env["INVOICEXPRESS_BASE_URL"]
    result = run_cli(["plan", "-f", "accounts/", "--env-file", str(operator)], env)
    assert result.exit_code == 0, _output(result)
    assert servers.operator_reads() >= 1


def test_the_operator_may_trust_a_repository_settings_file(
    repository: Path, servers: Servers
) -> None:
    (repository / ".env").write_text(f"INVOICEXPRESS_BASE_URL={servers.operator_url}\n")
    env = servers.env(RECONCILER_TRUST_ENV_FILE="1")
    del env["INVOICEXPRESS_BASE_URL"]
    result = run_cli(["plan", "-f", "accounts/lisboa.yaml", "--env-file", ".env"], env)
    assert result.exit_code == 0, _output(result)
    assert servers.operator_reads() >= 1


def test_an_https_host_other_than_invoicexpress_is_refused_unless_allowed(
    repository: Path,
) -> None:
    (repository / "accounts" / "lisboa.yaml").write_text("account:\n  id: 12345\n")
    env = {"INVOICEXPRESS_BASE_URL": "https://Evil.Example/api", "INVOICEXPRESS_API_KEY": "k"}
    refused = run_cli(["plan", "-f", "accounts/lisboa.yaml"], env)
    assert refused.exit_code == 1, _output(refused)
    assert "evil.example" in refused.stderr and "RECONCILER_ALLOWED_HOSTS" in refused.stderr
    allowed = run_cli(
        ["plan", "-f", "accounts/lisboa.yaml"],
        {**env, "RECONCILER_ALLOWED_HOSTS": "api.example.net, EVIL.example"},
    )
    assert allowed.exit_code == 0, _output(allowed)


def test_the_allowed_hosts_come_only_from_the_process_environment(
    repository: Path, tmp_path: Path
) -> None:
    (repository / "accounts" / "lisboa.yaml").write_text("account:\n  id: 12345\n")
    operator = tmp_path / "operator.env"
    operator.write_text("RECONCILER_ALLOWED_HOSTS=evil.example\n")
    env = {"INVOICEXPRESS_BASE_URL": "https://evil.example", "INVOICEXPRESS_API_KEY": "k"}
    result = run_cli(["plan", "-f", "accounts/lisboa.yaml", "--env-file", str(operator)], env)
    assert result.exit_code == 1, _output(result)
    assert "RECONCILER_ALLOWED_HOSTS" in result.stderr


def test_two_account_files_with_one_settings_suffix_are_refused_before_any_call(
    repository: Path, servers: Servers
) -> None:
    (repository / "accounts" / "porto-2.yaml").write_text(DESIRED)
    (repository / "accounts" / "porto_2.yaml").write_text(DESIRED)
    for command in (["plan"], ["apply", "--auto-approve"], ["refresh"]):
        result = run_cli([*command, "-f", "accounts/"], servers.env())
        assert result.exit_code == 1, _output(result)
        assert "porto-2.yaml" in result.stderr and "porto_2.yaml" in result.stderr
        assert "PORTO_2" in result.stderr
    assert servers.sandbox.requests == []
    assert not (repository / "accounts" / ".reconciler").exists()


def test_a_desired_file_symlinked_outside_its_folder_is_refused_unread(
    repository: Path, servers: Servers, tmp_path: Path
) -> None:
    outside = tmp_path / "runner-secrets.yaml"
    outside.write_text("account:\n  id: TOP-SECRET-VALUE\n")
    (repository / "accounts" / "porto.yaml").symlink_to(outside)
    for command in (["plan", "-f", "accounts/"], ["plan", "-f", "accounts/porto.yaml"]):
        result = run_cli(command, servers.env())
        assert result.exit_code == 1, _output(result)
        assert "porto.yaml" in result.stderr and "RECONCILER_ALLOW_SYMLINKS" in result.stderr
        assert "TOP-SECRET" not in _output(result) and str(outside) not in _output(result)
    validated = run_cli(["validate", "accounts/porto.yaml"], servers.env())
    assert validated.exit_code == 1 and "TOP-SECRET" not in _output(validated)
    assert servers.stolen.requests == []
    # The operator may allow it: then the file is read (and its bad id reported).
    allowed = run_cli(
        ["plan", "-f", "accounts/porto.yaml"], servers.env(RECONCILER_ALLOW_SYMLINKS="1")
    )
    assert allowed.exit_code == 1 and "RECONCILER_ALLOW_SYMLINKS" not in allowed.stderr


def test_a_desired_file_reached_through_a_symlinked_folder_is_refused(
    repository: Path, servers: Servers, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "faro.yaml").write_text("account:\n  id: TOP-SECRET-VALUE\n")
    (repository / "linked").symlink_to(outside, target_is_directory=True)
    for files in ("linked/", "linked/faro.yaml"):
        result = run_cli(["plan", "-f", files], servers.env())
        assert result.exit_code == 1, _output(result)
        assert "faro.yaml" in result.stderr and "RECONCILER_ALLOW_SYMLINKS" in result.stderr
        assert "TOP-SECRET" not in _output(result)


def test_a_symlink_within_its_folder_is_read(repository: Path, servers: Servers) -> None:
    (repository / "accounts" / "lisboa-alias.yaml").symlink_to("lisboa.yaml")
    result = run_cli(["plan", "-f", "accounts/lisboa-alias.yaml"], servers.env())
    assert result.exit_code == 0, _output(result)


def test_the_repository_top_is_not_taken_from_a_git_folder_reached_through_a_symlink(
    tmp_path: Path,
) -> None:
    repo, elsewhere = tmp_path / "repo", tmp_path / "other-checkout"
    (repo / ".git").mkdir(parents=True)
    (elsewhere / "sub" / ".git").mkdir(parents=True)
    (elsewhere / "sub" / "x.yaml").write_text(DESIRED)
    (repo / "linked").symlink_to(elsewhere, target_is_directory=True)
    reached = repo / "linked" / "sub" / "x.yaml"
    assert repository_root(reached) == repo
    assert repository_root(repo / "accounts" / "lisboa.yaml") == repo
    assert repository_root(elsewhere / "sub" / "x.yaml") == elsewhere / "sub"
    with pytest.raises(InputError, match="RECONCILER_ALLOW_SYMLINKS"):
        check_desired_path(reached)
