"""``state list`` and ``force-unlock`` as documents for tools (each checked against its schema
in schema/), and ``state mv`` refused with what ``state move`` does instead."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from reconciler.storage.lock import StateLock
from tests.gitops.conftest import AT_PASSWORD
from tests.support.cli_env import Env
from tests.support.lock_holder import hold_lock, kill
from tests.support.schemas import checked_schema


def _document(name: str, stdout: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(stdout)
    jsonschema.validate(document, checked_schema(name))
    assert (document["kind"], document["format_version"]) == (name, 1)
    return document


def test_state_list_json_names_every_record(env: Env) -> None:
    applied = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    result = env.run("state", "list", "-f", str(env.desired), "--format", "json")
    assert result.exit_code == 0, result.output
    document = _document("state-list", result.stdout)
    assert [r["resource"] for r in document["resources"]] == [
        "account:12345",
        "client:42",
        "client:43",
        "default_sequence",
        "registration:146090",
    ]
    assert all(r["applied_at"] for r in document["resources"])
    assert document["serial"] == 5 and document["lineage"]
    assert document["known_state"] == str(env.state_file)
    assert AT_PASSWORD not in result.output


def test_force_unlock_json_says_what_it_removed(env: Env) -> None:
    args = ["force-unlock", "-f", str(env.desired), "--format", "json"]
    idle = env.run(*args)
    assert idle.exit_code == 0, idle.output
    nothing = _document("force-unlock", idle.stdout)
    assert nothing["removed"] is False and "nothing to do" in nothing["message"]
    child = hold_lock(env.state_file)
    kill(child)  # gone: its owner record stays behind
    done = env.run(*args)
    assert done.exit_code == 0, done.output
    removed = _document("force-unlock", done.stdout)
    assert removed["removed"] is True and f"pid {child.pid}" in removed["message"]
    assert removed["lock"] == str(StateLock(env.state_file).lock_path)


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("state-list", {"format_version": 1, "kind": "state-list", "resources": [{}]}),
        ("force-unlock", {"format_version": 1, "kind": "force-unlock", "removed": "no"}),
    ],
)
def test_each_new_schema_rejects_a_document_that_breaks_it(name: str, bad: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(checked_schema(name))
    assert [error.message for error in validator.iter_errors(bad)]


def test_state_mv_is_refused_saying_what_state_move_does(env: Env) -> None:
    applied = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    before = env.state_file.read_bytes()
    result = env.run("state", "mv", "client:42", "client:44", "-f", str(env.desired))
    assert result.exit_code == 1, result.output
    message = result.stderr
    assert "state move" in message and "between its file and a database" in message
    assert "state rm" in message and "did you mean" not in message.lower()
    assert env.state_file.read_bytes() == before
