"""reconciler state list / show / rm: the known state's records, read and edited."""

from __future__ import annotations

import json

import pytest

from reconciler.storage.lock import StateLock
from reconciler.storage.postgres import PostgresStore
from tests.gitops.conftest import AT_PASSWORD
from tests.support.cli_env import Env

EXAMPLE_KEYS = [
    "account:12345",
    "client:42",
    "client:43",
    "default_sequence",
    "registration:146090",
]


def _applied(env: Env, *extra: str) -> None:
    result = env.run("apply", "-f", str(env.desired), "--auto-approve", *extra)
    assert result.exit_code == 0, result.output


def test_state_list_names_every_record(env: Env) -> None:
    _applied(env)
    result = env.run("state", "list", "-f", str(env.desired))
    assert result.exit_code == 0, result.output
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == EXAMPLE_KEYS


def test_state_list_without_a_known_state_is_an_error(env: Env) -> None:
    result = env.run("state", "list", "-f", str(env.desired))
    assert result.exit_code == 1
    assert "no known state" in result.stderr


def test_state_show_prints_a_record_with_secrets_redacted(env: Env) -> None:
    _applied(env)
    result = env.run("state", "show", "account", "-f", str(env.desired))
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["resource"] == "account:12345"
    assert shown["applied"]["credentials"]["password"] == "(sensitive)"
    assert "hmac-sha256" not in result.stdout and AT_PASSWORD not in result.stdout
    client = json.loads(env.run("state", "show", "client:42", "-f", str(env.desired)).stdout)
    assert client["applied"]["code"]


def test_state_show_of_an_unknown_resource_is_an_error(env: Env) -> None:
    _applied(env)
    result = env.run("state", "show", "client:999", "-f", str(env.desired))
    assert result.exit_code == 1
    assert "not in the known state: client:999" in result.stderr


def test_state_rm_forgets_a_record_keeps_a_backup_and_the_next_plan_applies_it_again(
    env: Env,
) -> None:
    _applied(env)
    before = json.loads(env.state_file.read_text())
    result = env.run("state", "rm", "client:42", "-f", str(env.desired))
    assert result.exit_code == 0, result.output
    assert "Removed client 42 from the known state" in result.stdout
    after = json.loads(env.state_file.read_text())
    assert "client:42" not in after["resources"]
    assert after["serial"] == before["serial"] + 1
    backup = env.state_file.with_name(env.state_file.name + ".backup")
    assert json.loads(backup.read_text())["serial"] == before["serial"]
    plan = env.run("plan", "-f", str(env.desired))
    assert "update client 42  (never applied)" in plan.stdout
    assert "Plan: 1 call" in plan.stdout


def test_state_rm_of_an_unknown_resource_changes_nothing(env: Env) -> None:
    _applied(env)
    before = env.state_file.read_bytes()
    result = env.run("state", "rm", "client:42", "client:999", "-f", str(env.desired))
    assert result.exit_code == 1
    assert "not in the known state: client:999" in result.stderr
    assert env.state_file.read_bytes() == before


def test_state_rm_waits_for_the_lock_and_fails_when_it_is_held(env: Env) -> None:
    _applied(env)
    before = env.state_file.read_bytes()
    with StateLock(env.state_file).held("reconciler apply -f elsewhere", 0):
        result = env.run(
            "state", "rm", "client:42", "-f", str(env.desired), "--lock-timeout", "0.2"
        )
    assert result.exit_code == 1
    assert "reconciler apply -f elsewhere" in result.stderr
    assert env.state_file.read_bytes() == before


@pytest.mark.usefixtures("postgres_server")
def test_state_list_and_rm_work_on_the_database(env: Env, postgres_url: str) -> None:
    _applied(env, "--state-url", postgres_url)
    listed = env.run("state", "list", "-f", str(env.desired), "--state-url", postgres_url)
    assert listed.exit_code == 0, listed.output
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == EXAMPLE_KEYS
    removed = env.run(
        "state", "rm", "client:43", "-f", str(env.desired), "--state-url", postgres_url
    )
    assert removed.exit_code == 0, removed.output
    assert "backup" not in removed.stdout
    assert "client:43" not in PostgresStore(postgres_url, "state").load().resources
    assert not env.state_file.exists()
