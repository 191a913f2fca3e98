"""Import writes every character a live value may hold so that it reads back as itself.

Each value is put on the sandbox's client, imported (into a new file, and into an existing
one whose value differs), and planned: the plan has no call for the client.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reconciler.sandbox import Sandbox
from tests.support.cli_process import API_KEY, environment, run_cli

CLIENT = 42
CHARACTERS = {
    "NEL": "\x85",
    "LS": "\u2028",
    "PS": "\u2029",
    "C1 controls": "\x80\x9b\x9f",
    "C0 controls": "\x01\x1b\x7f",
    "tab": "\t",
    "line breaks": "\r\n\n\r",
    "dollars": "$ $$ ${HOME}",
    "quotes": "'\"''",
    "backslashes": "\\ \\\\ \\x85 \\N",
    "byte-order mark": "\ufeff",
    "no-break space": "\xa0",
    "outside the BMP": "\U0001f600",
    "everything": "\x85\u2028\u2029\x9b\t$'\"\\",
}


def _live(value: str) -> dict[str, str]:
    return {"city": f"Por{value}to", "observations": f"{value}a{value}b{value}c"}


def _put(sandbox: Sandbox, fields: dict[str, str]) -> None:
    def edit(data: dict[str, Any]) -> None:
        next(c for c in data["clients"] if c["id"] == CLIENT).update(fields)

    sandbox.edit(edit)


def _client_calls(desired: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    planned = run_cli(["plan", "-f", str(desired), "--format", "json"], env)
    assert planned.exit_code == 0, planned.output
    calls = json.loads(planned.stdout)["calls"]
    return [call for call in calls if call["resource"] == f"client:{CLIENT}"]


def _import(desired: Path, env: dict[str, str]) -> None:
    imported = run_cli(["import", "-f", str(desired), "--account-id", "12345"], env)
    assert imported.exit_code == 0, imported.output


@pytest.mark.parametrize("name", CHARACTERS)
def test_a_live_value_round_trips_through_import_and_plan(tmp_path: Path, name: str) -> None:
    sandbox = Sandbox(api_key=API_KEY, rate_limit=0)
    _put(sandbox, _live(CHARACTERS[name]))
    desired = tmp_path / "state.yaml"
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url)
        _import(desired, env)
        assert _client_calls(desired, env) == []


@pytest.mark.parametrize("name", CHARACTERS)
def test_a_live_value_round_trips_through_an_import_in_place(tmp_path: Path, name: str) -> None:
    sandbox = Sandbox(api_key=API_KEY, rate_limit=0)
    _put(sandbox, {"city": "Porto", "observations": "plain"})
    desired = tmp_path / "state.yaml"
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url)
        _import(desired, env)
        _put(sandbox, _live(CHARACTERS[name]))
        _import(desired, env)
        assert _client_calls(desired, env) == []


AWKWARD = st.text(
    alphabet=st.one_of(
        st.sampled_from("\x85\u2028\u2029\t\r\n $'\"\\#:-{}[],&*!|>%@`~?\ufeff\xa0"),
        st.characters(min_codepoint=0x01, max_codepoint=0x9F),
        st.characters(blacklist_categories=("Cs",)),
    ),
    min_size=1,
    max_size=12,
)


def test_any_live_text_round_trips_through_import_and_plan(tmp_path: Path) -> None:
    """Generated text (every C0 and C1 control, Unicode line breaks, YAML's syntax
    characters, any other character) on the live client: import, then plan, makes no call."""
    sandbox = Sandbox(api_key=API_KEY, rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url)
        files = iter(range(10**6))

        @settings(max_examples=60, deadline=None)
        @given(AWKWARD)
        def round_trips(value: str) -> None:
            assume("\x00" not in value)
            _put(sandbox, {"city": value, "observations": f"x{value}y"})
            desired = tmp_path / f"state-{next(files)}.yaml"
            _import(desired, env)
            assert _client_calls(desired, env) == [], repr(value)

        round_trips()
