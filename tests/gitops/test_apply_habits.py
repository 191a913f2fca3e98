"""apply as terraform users expect: settings checked before the plan is shown, only ``yes``
approves on a terminal, and progress while the live account is read."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.cli_env import Env


@pytest.mark.parametrize(
    ("unset", "message"),
    [
        (("INVOICEXPRESS_BASE_URL",), "no account configured"),
        (("INVOICEXPRESS_API_KEY",), "no API key configured"),
    ],
)
def test_apply_refuses_missing_settings_before_showing_the_plan(
    env: Env, unset: tuple[str, ...], message: str
) -> None:
    variables: dict[str, str | None] = {name: None for name in unset}
    variables["RECONCILER_DIGEST_KEY"] = "digest-key-for-the-test"
    result = env.run("apply", "-f", str(env.desired), "--auto-approve", env=variables)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "update client 42" not in result.stdout  # the plan was never shown
    assert env.calls() == []


def _on_a_terminal(env: Env, answer: bytes) -> subprocess.CompletedProcess[str]:
    """``reconciler apply`` with a terminal as stdin, given ``answer`` to type."""
    return env.on_a_terminal("apply", "-f", str(env.desired), answer=answer)


@pytest.mark.parametrize("answer", [b"y\n", b"no\n", b"YES please\n", b"\n"])
def test_on_a_terminal_anything_but_yes_cancels_with_exit_1(env: Env, answer: bytes) -> None:
    result = _on_a_terminal(env, answer)
    assert result.returncode == 1, result.stderr
    assert "Only 'yes' will be accepted" in result.stdout
    assert "Apply cancelled; nothing applied." in result.stderr
    assert env.calls() == []


def test_on_a_terminal_yes_applies(env: Env) -> None:
    result = _on_a_terminal(env, b"yes\n")
    assert result.returncode == 0, result.stderr
    assert "Apply: 5 succeeded, 0 failed, 0 skipped." in result.stdout


def test_reading_the_live_account_is_announced_off_a_terminal(env: Env) -> None:
    text = env.desired.read_text()  # client 42 is now found by its code
    start, end = text.index("  - id: 42"), text.index('    code: "12345"')
    env.desired.write_text(text[:start] + "  - " + text[end + 4 :])
    result = env.run("plan", "-f", str(env.desired))
    assert result.exit_code == 0, result.output
    assert "Reading the live account" in result.stderr
    assert "Reading" not in result.stdout
    quiet = env.run("plan", "-f", str(env.desired), "--quiet")
    assert "Reading" not in quiet.stderr


def test_a_plan_that_needs_no_live_read_says_nothing_of_it(env: Env) -> None:
    result = env.run("plan", "-f", str(env.desired))
    assert "Reading the live account" not in result.stderr
