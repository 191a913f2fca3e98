"""Import writes what it read back exactly: a live ``$`` stays a ``$``, never a variable.

The desired-state loader expands ``${NAME}`` and turns ``$$`` into ``$``, so every string an
import writes has each ``$`` doubled; only the deliberate ``${AT_PASSWORD}`` stays a reference.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.sandbox import Sandbox
from reconciler.storage.journal import Journal
from tests.support.cli_process import API_KEY, environment, run_cli

HOSTILE = {
    "observations": "ref ${INVOICEXPRESS_API_KEY}",
    "address": "US$$5",
    "city": "pay in $",
    "website": "a ${ b",
    "fax": "$5",
}
CLIENT = 42


def _hostile(data: dict[str, Any]) -> None:
    client = next(c for c in data["clients"] if c["id"] == CLIENT)
    client.update(HOSTILE)
    data["account"]["address"] = "Rua do ${HOME} $$1"
    data["account"]["credentials"] = {
        "username": "999999990/1",
        "password": "c2VjcmV0LXBhc3M=",
        "type": "AT",
        "context": "Sequences",
    }


def _run(args: list[str], env: dict[str, str]) -> str:
    result = run_cli(args, env)
    assert result.exit_code == 0, result.output
    return result.output


def _assert_no_api_key(folder: Path, sandbox: Sandbox) -> None:
    for path in (folder / ".reconciler").iterdir():
        assert API_KEY not in path.read_text("utf-8", errors="replace"), path
    assert API_KEY not in json.dumps(sandbox.snapshot())


@pytest.fixture
def hostile_sandbox() -> Sandbox:
    sandbox = Sandbox(api_key=API_KEY, rate_limit=0)
    sandbox.edit(_hostile)
    return sandbox


def test_live_dollars_round_trip_through_import_plan_and_apply(
    tmp_path: Path, hostile_sandbox: Sandbox
) -> None:
    desired = tmp_path / "state.yaml"
    with hostile_sandbox.running_in_thread() as base_url:
        env = environment(base_url, HOME="/root")
        _run(["import", "-f", str(desired), "--account-id", "12345"], env)
        text = desired.read_text()
        assert "${INVOICEXPRESS_API_KEY}" in text and "$${INVOICEXPRESS_API_KEY}" in text
        assert "password: ${AT_PASSWORD}" in text
        hostile_sandbox.clear_requests()

        plan = _run(["plan", "-f", str(desired)], env)
        assert "Plan: 1 call (1 update account)" in plan  # only the AT password, never read
        assert hostile_sandbox.requests == []
        _run(["apply", "-f", str(desired), "--auto-approve", "--target", "account"], env)
        hostile_sandbox.clear_requests()
        again = _run(["apply", "-f", str(desired), "--auto-approve"], env)
        assert "No changes." in again
        assert hostile_sandbox.requests == []

        live = next(c for c in hostile_sandbox.snapshot()["clients"] if c["id"] == CLIENT)
        assert {name: live[name] for name in HOSTILE} == HOSTILE
        assert hostile_sandbox.snapshot()["account"]["address"] == "Rua do ${HOME} $$1"
        refreshed = _run(["plan", "-f", str(desired), "--refresh", "--detailed-exitcode"], env)
        assert "No changes." in refreshed
        _assert_no_api_key(tmp_path, hostile_sandbox)
        assert not Journal(tmp_path / ".reconciler" / "state.state.json.journal").exists()


def test_reimport_in_place_escapes_new_values_and_compares_what_they_mean(
    tmp_path: Path, hostile_sandbox: Sandbox
) -> None:
    desired = tmp_path / "state.yaml"
    desired.write_text(
        "clients:\n"
        f"  - id: {CLIENT}\n"
        "    code: C-0042\n"
        "    name: Cliente\n"
        '    address: "US$$$$5"  # the meaning equals live: left as written\n'
        "    city: old city\n"
        "    observations: old\n"
        "    fax: ${RECONCILER_VAR_FAX}\n",
        encoding="utf-8",
    )
    with hostile_sandbox.running_in_thread() as base_url:
        env = environment(base_url, RECONCILER_VAR_FAX="$5")
        output = _run(["import", "-f", str(desired), "--account-id", "12345"], env)
        text = desired.read_text()
        assert '    address: "US$$$$5"  # the meaning' in text
        assert "    city: pay in $$\n" in text
        assert "    observations: ref $${INVOICEXPRESS_API_KEY}\n" in text
        assert "    fax: ${RECONCILER_VAR_FAX}\n" in text  # a reference meaning the live value
        assert "is written as a reference" not in output
        hostile_sandbox.clear_requests()
        plan = _run(["plan", "-f", str(desired), "--target", f"client:{CLIENT}"], env)
        assert "No changes." in plan
        assert hostile_sandbox.requests == []
        _assert_no_api_key(tmp_path, hostile_sandbox)


def test_a_literal_dollar_in_an_existing_file_is_not_taken_for_a_reference(
    tmp_path: Path, hostile_sandbox: Sandbox
) -> None:
    desired = tmp_path / "state.yaml"
    desired.write_text(
        f"clients:\n  - id: {CLIENT}\n    code: C-0042\n    name: Cliente\n    fax: US$$9\n",
        encoding="utf-8",
    )
    with hostile_sandbox.running_in_thread() as base_url:
        env = environment(base_url)
        output = _run(["import", "-f", str(desired), "--account-id", "12345"], env)
        assert "    fax: $$5\n" in desired.read_text()
        assert "is written as a reference" not in output


def test_a_live_serie_with_a_line_break_adds_no_line_to_the_file(
    tmp_path: Path, hostile_sandbox: Sandbox
) -> None:
    def serie_with_a_line_break(data: dict[str, Any]) -> None:
        for sequence in data["sequences"]:
            sequence["serie"] = f"{sequence['serie']}\nclients: []"

    hostile_sandbox.edit(serie_with_a_line_break)
    desired = tmp_path / "state.yaml"
    with hostile_sandbox.running_in_thread() as base_url:
        env = environment(base_url)
        _run(["import", "-f", str(desired), "--account-id", "12345"], env)
        text = desired.read_text()
        assert "\nclients: []" not in text
        assert text.count("  - id: ") == 3
        assert '# 146110 is serie "2024\\nclients: []"' in text
