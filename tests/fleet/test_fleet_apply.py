"""A folder of accounts planned and applied in one run, each against its own sandbox."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.support.cli_process import run_cli
from tests.support.fleet_accounts import NAMES, headings, make_accounts, serving

ROOT = Path(__file__).resolve().parents[2]


def test_a_folder_of_four_accounts_applies_in_one_run_and_the_next_plan_is_empty(
    tmp_path: Path,
) -> None:
    accounts = make_accounts(tmp_path)
    folder = str(tmp_path / "accounts")
    with serving(accounts) as env:
        applied = run_cli(["apply", "-f", folder, "--auto-approve"], env)
        assert applied.exit_code == 0, applied.output
        for account in accounts:
            assert account.shape.converged(account.sandbox) == [], account.name
            puts = account.puts()
            assert sum(puts.values()) == len(puts) == account.shape.calls, account.name
            assert account.recorded() == account.shape.calls
        plan = run_cli(["plan", "-f", folder, "--detailed-exitcode"], env)
        refresh = run_cli(["refresh", "-f", folder, "--detailed-exitcode"], env)
    assert refresh.exit_code == 0, refresh.output
    assert sorted(headings(refresh.stdout)) == sorted(NAMES)
    assert plan.exit_code == 0, plan.output
    assert sorted(headings(plan.stdout)) == sorted(NAMES)
    assert plan.stdout.count("No changes.") == len(NAMES)


@pytest.mark.parametrize("fault", ["bad file", "wrong key"])
def test_one_failing_account_does_not_stop_the_other_three(tmp_path: Path, fault: str) -> None:
    accounts = make_accounts(tmp_path)
    broken = accounts[1]
    if fault == "bad file":
        broken.file.write_text(
            broken.file.read_text().replace("postal_code: 1500-555", "postal_code: 15")
        )
    with serving(accounts) as env:
        if fault == "wrong key":
            env["INVOICEXPRESS_API_KEY_PORTO"] = "not-the-key"
        result = run_cli(["apply", "-f", str(tmp_path / "accounts"), "--auto-approve"], env)
    assert result.exit_code == (1 if fault == "bad file" else 3), result.output
    assert "error: porto:" in result.stderr or "porto: failed" in result.stderr, result.stderr
    assert "not-the-key" not in result.output
    assert sorted(headings(result.stdout)) == sorted(NAMES)
    for account in accounts:
        if account is broken:
            assert account.accepted() == 0, "the broken account made a change"
        else:
            assert account.shape.converged(account.sandbox) == [], account.name


def test_the_fleet_plan_groups_calls_by_account_in_json_and_markdown(tmp_path: Path) -> None:
    accounts = make_accounts(tmp_path, ("lisboa", "porto"))
    (tmp_path / "accounts" / "porto.yaml").write_text("account: [\n")
    schema: dict[str, Any] = json.loads((ROOT / "schema" / "fleet-plan.schema.json").read_text())
    folder = str(tmp_path / "accounts")
    with serving(accounts) as env:
        as_json = run_cli(["plan", "-f", folder, "--format", "json", "--detailed-exitcode"], env)
        markdown = run_cli(["plan", "-f", folder, "--format", "markdown"], env)
    # lisboa has changes (2), porto can't be planned (1): the worst, 1, wins.
    assert as_json.exit_code == 1, as_json.output
    document = json.loads(as_json.stdout)
    jsonschema.validate(document, schema)
    lisboa, porto = document["accounts"]
    assert lisboa["account"] == "lisboa" and porto["account"] == "porto"
    assert {call["account"] for call in lisboa["plan"]["calls"]} == {"lisboa"}
    assert len(lisboa["plan"]["calls"]) == accounts[0].shape.calls
    assert porto["plan"] is None and "porto.yaml" in porto["error"]
    assert document["summary"] == {
        "accounts": 2,
        "failed": 1,
        "not_attempted": 0,
        "with_changes": 1,
        "calls": accounts[0].shape.calls,
    }
    assert "## Account `lisboa`" in markdown.stdout and "## Account `porto`" in markdown.stdout
    assert markdown.stdout.index("`lisboa`") < markdown.stdout.index("`porto`")
    broken = dict(document)
    broken["accounts"] = [dict(lisboa, plan=dict(lisboa["plan"]))]
    broken["accounts"][0]["plan"]["calls"] = [
        {k: v for k, v in call.items() if k != "account"} for call in lisboa["plan"]["calls"]
    ]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_the_fleet_schema_keeps_the_plan_schemas_definitions(tmp_path: Path) -> None:
    fleet = json.loads((ROOT / "schema" / "fleet-plan.schema.json").read_text())
    plan = json.loads((ROOT / "schema" / "plan.schema.json").read_text())
    for name, definition in plan["$defs"].items():
        assert fleet["$defs"][name] == definition, name
    call = dict(fleet["$defs"]["fleet_call"])
    assert call["properties"].pop("account")["type"] == "string"
    call["required"] = [name for name in call["required"] if name != "account"]
    assert call == plan["$defs"]["call"]
    own = {k: v for k, v in fleet["$defs"]["plan"].items() if k != "description"}
    expected = {
        k: v for k, v in plan.items() if k not in ("$schema", "title", "$defs", "description")
    }
    own["properties"] = dict(own["properties"], calls=plan["properties"]["calls"])
    assert own == expected


def _interactive(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """An interactive fleet apply of ``accounts`` in a child process, its stdin a terminal;
    returns the child and the terminal's controlling side, to answer on."""
    controller, terminal = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "apply", "-f", "accounts"],
        env={**os.environ, **env},
        cwd=tmp_path,
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    os.close(terminal)
    return child, controller


def _until_asked(child: subprocess.Popen[bytes]) -> str:
    """The child's output up to its question (it waits there for the answer)."""
    assert child.stdout is not None
    seen = b""
    while b"Enter a value" not in seen:
        ready, _, _ = select.select([child.stdout], [], [], 300)
        assert ready, "the question never came: " + seen.decode()
        chunk = os.read(child.stdout.fileno(), 65536)
        assert chunk, "the apply ended without asking: " + seen.decode()
        seen += chunk
    return seen.decode()


@pytest.mark.parametrize("answer", ["yes", "y"])
def test_an_interactive_apply_asks_once_for_the_whole_fleet(tmp_path: Path, answer: str) -> None:
    accounts = make_accounts(tmp_path)
    with serving(accounts) as env:
        child, controller = _interactive(tmp_path, env)
        asked = _until_asked(child)
        os.write(controller, f"{answer}\n".encode())
        rest, errors = child.communicate(timeout=300)
        os.close(controller)
        output = asked + rest.decode()
        assert child.returncode == (0 if answer == "yes" else 1), output + errors.decode()
        assert output.count("Do you want to make these calls to 4 accounts?") == 1, output
        assert sorted(headings(output)[:4]) == sorted(NAMES)
        for account in accounts:
            if answer == "yes":
                assert account.shape.converged(account.sandbox) == [], account.name
            else:
                assert account.accepted() == 0, account.name
        # Every account's lock was released: an apply right after takes each one at once.
        again = run_cli(["apply", "-f", str(tmp_path / "accounts"), "--auto-approve"], env)
    assert again.exit_code == 0, again.output
    assert again.stdout.count("No changes.") == (len(NAMES) if answer == "yes" else 0)


def test_an_account_whose_plan_changed_before_yes_is_stale_and_not_applied(
    tmp_path: Path,
) -> None:
    accounts = make_accounts(tmp_path)
    porto = next(account for account in accounts if account.name == "porto")
    with serving(accounts) as env:
        child, controller = _interactive(tmp_path, env)
        _until_asked(child)
        # While the fleet waits for its answer, another run applies porto: no lock is held.
        alone = {
            **env,
            "INVOICEXPRESS_BASE_URL": porto.base_url,
            "INVOICEXPRESS_API_KEY": porto.api_key,
        }
        other = run_cli(["apply", "-f", str(porto.file), "--auto-approve"], alone)
        assert other.exit_code == 0, other.output
        os.write(controller, b"yes\n")
        out, errors = child.communicate(timeout=300)
        os.close(controller)
    stderr = errors.decode()
    assert child.returncode == 1, out.decode() + stderr
    assert "error: porto: stale plan:" in stderr, stderr
    assert sum(porto.puts().values()) == porto.shape.calls, "porto was applied twice"
    for account in accounts:
        assert account.shape.converged(account.sandbox) == [], account.name
        if account is not porto:
            assert sum(account.puts().values()) == account.shape.calls, account.name


def test_a_fleet_plan_annotates_each_bad_accounts_problems_at_their_place(
    tmp_path: Path,
) -> None:
    accounts = make_accounts(tmp_path, ("lisboa", "porto"))
    porto = accounts[1].file
    porto.write_text(porto.read_text().replace("postal_code: 1500-555", "postal_code: 15"))
    with serving(accounts) as env:
        result = run_cli(
            ["plan", "-f", str(tmp_path / "accounts"), "--error-format", "github"], env
        )
    assert result.exit_code == 1, result.output
    line = next(
        number
        for number, text in enumerate(porto.read_text().splitlines(), 1)
        if "postal_code" in text
    )
    assert f"::error file={porto},line={line}," in result.stderr, result.stderr
    assert "error: porto:" in result.stderr
    assert "lisboa" not in result.stderr
    assert sorted(headings(result.stdout)) == ["lisboa", "porto"]
