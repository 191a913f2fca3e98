"""In a fleet, one account's file can't show another account's API key, nor its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli_process import run_cli
from tests.support.fleet_accounts import make_accounts, serving
from tests.support.leaks import forms

NAMES = ("lisboa", "porto")


@pytest.mark.parametrize(
    "args",
    [
        ["apply", "--auto-approve"],
        ["plan", "--format", "json"],
        ["plan", "--format", "markdown", "--error-format", "github"],
    ],
)
def test_an_account_whose_file_holds_any_accounts_key_is_refused_and_the_rest_goes_on(
    tmp_path: Path, args: list[str]
) -> None:
    lisboa, porto = make_accounts(tmp_path, NAMES)
    text = lisboa.file.read_text()
    lisboa.file.write_text(
        text.replace("  city: Lisboa\n", "  city: ${RECONCILER_VAR_PLACE}\n", 1).replace(
            "Cliente 1001, Lda", f"Cliente {lisboa.api_key}"
        )
    )
    line = 1 + text.splitlines().index("  city: Lisboa")
    folder = str(tmp_path / "accounts")
    with serving([lisboa, porto]) as env:
        env["RECONCILER_VAR_PLACE"] = porto.api_key
        result = run_cli([*args, "-f", folder], env)
    assert result.exit_code == 1, result.output
    shown = result.stdout + result.stderr
    for key in (lisboa.api_key, porto.api_key):
        assert not any(form in shown for form in forms(key)), shown
    assert f"lisboa.yaml:{line}:9: account.city: holds the value of a secret" in shown
    assert "clients[1].name: holds the value of a secret" in shown
    assert lisboa.sandbox.requests == [] and not lisboa.state_file().exists()
    if "github" in args:
        assert f"line={line},col=9,title=reconciler%3A account.city::holds" in result.stderr
    if args[0] == "plan":
        assert "porto" in result.stdout and "lisboa" in result.stdout
    else:
        assert porto.shape.converged(porto.sandbox) == []
        recorded = porto.state_file().read_text()
        assert not any(form in recorded for form in forms(porto.api_key))
