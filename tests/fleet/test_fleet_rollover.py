"""The yearly rollover of a fleet: one change, the new serie in every account's file, applied in
one run; each account's serie is created once, registered and made its default."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from reconciler.sandbox import Sandbox
from reconciler.sandbox.demo import demo_data
from reconciler.sandbox.sequences import new_sequence
from reconciler.settings import account_suffix
from tests.support.cli_process import run_cli
from tests.support.fleet_accounts import headings

NAMES = ("lisboa", "porto")
BEFORE = 'sequences:\n  default: "2026"\n  register: ["2026"]\n'
AFTER = (
    "options:\n  create_missing_series: true\n"
    'sequences:\n  default: "2027"\n  register: ["2026", "2027"]\n'
)


def _data() -> dict[str, Any]:
    """An account with AT credentials, the series 2025 and 2026 (the default, registered)."""
    data = demo_data()
    data["account"]["credentials"] = {"username": "999999990/1", "type": "AT"}
    data["sequences"] = [
        new_sequence(146090, "2025", registered=True),
        new_sequence(146110, "2026", default=True, registered=True),
    ]
    return data


def test_the_new_serie_in_every_file_is_created_registered_and_default_in_one_run(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "accounts"
    folder.mkdir()
    sandboxes = {
        name: Sandbox(api_key=f"key-of-{name}", data=_data(), rate_limit=0) for name in NAMES
    }
    for name in NAMES:
        (folder / f"{name}.yaml").write_text(BEFORE)
    with contextlib.ExitStack() as stack:
        env = {"RECONCILER_RATE_LIMIT": "0", "NO_COLOR": "1"}
        for name, sandbox in sandboxes.items():
            suffix = account_suffix(name)
            env[f"INVOICEXPRESS_BASE_URL_{suffix}"] = stack.enter_context(
                sandbox.running_in_thread()
            )
            env[f"INVOICEXPRESS_API_KEY_{suffix}"] = f"key-of-{name}"
        before = run_cli(["apply", "-f", str(folder), "--auto-approve"], env)
        assert before.exit_code == 0, before.output
        for name, sandbox in sandboxes.items():
            (folder / f"{name}.yaml").write_text(AFTER)
            sandbox.clear_requests()
        plan = run_cli(["plan", "-f", str(folder)], env)
        assert plan.exit_code == 0, plan.output
        assert plan.stdout.count("+ create sequence '2027'") == len(NAMES)
        applied = run_cli(["apply", "-f", str(folder), "--auto-approve"], env)
        assert applied.exit_code == 0, applied.output
        for name, sandbox in sandboxes.items():
            (created,) = [s for s in sandbox.snapshot()["sequences"] if s["serie"] == "2027"]
            writes = [(r.method, r.path) for r in sandbox.requests if r.method in ("POST", "PUT")]
            assert writes == [
                ("POST", "/sequences.json"),
                ("PUT", f"/sequences/{created['id']}/set_current.json"),
            ], name
            assert created["default_sequence"] == 1, name
        again = run_cli(["plan", "-f", str(folder), "--detailed-exitcode"], env)
    assert again.exit_code == 0, again.output
    assert sorted(headings(again.stdout)) == sorted(NAMES)
    assert again.stdout.count("No changes.") == len(NAMES)
