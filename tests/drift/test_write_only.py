"""Fields the API takes but never returns (write-only) are not drift: after an apply against an
account that hides its AT credentials, a nightly refresh finds nothing and says, once, which
declared fields it could not read back."""

from __future__ import annotations

from reconciler.sandbox import Quirks
from tests.support.cli_env import Env

from .conftest import applied


def test_credentials_the_api_never_returns_are_not_drift(env: Env) -> None:
    env.sandbox.quirks = Quirks(hide_credentials=True)
    applied(env)
    result = env.run("plan", "-f", str(env.desired), "--refresh", "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert result.output.count("the live account does not return") == 1, result.output
    assert (
        "does not return account.credentials.context, account.credentials.type, "
        "account.credentials.username: not checked for drift" in result.output
    )
    assert "Drift:" not in result.output and "No changes." in result.output
    assert [m for m, _ in env.calls()] == ["GET"] * len(env.calls())
