"""What is the same for every account of a fleet is worked out once per run, not per account.

Each test runs a real fleet ``plan`` in-process (nothing in it reaches the API: every account's
known state matches its file) and counts, through the code paths themselves, how often the
shared work is done: scanning the environment for secrets, reading and screening the settings
file, working out a secret's forms and compiling the redaction pattern. Nothing is timed.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import desired_yaml, known_state
from reconciler.cli import main
from reconciler.core import redaction
from reconciler.desired import secrets_in_play
from reconciler.settings import account_suffix
from reconciler.storage.state_file import StateStore

ACCOUNTS = 6


def _fleet(folder: Path) -> dict[str, str]:
    """Desired files of ``ACCOUNTS`` accounts in sync with their known states; the environment
    giving each its own API key and base URL, as a fleet's operator does."""
    accounts = folder / "accounts"
    accounts.mkdir()
    text, known = desired_yaml(3), known_state(3, frozenset())
    env = {"NO_COLOR": "1", "RECONCILER_DIGEST_KEY": "digest-key-of-the-fleet"}
    for number in range(ACCOUNTS):
        name = f"conta-{number}"
        (accounts / f"{name}.yaml").write_text(text, encoding="utf-8")
        StateStore(accounts / ".reconciler" / f"{name}.state.json").save(known)
        env[f"INVOICEXPRESS_API_KEY_{account_suffix(name)}"] = f"api-key-of-{name}"
        env[f"INVOICEXPRESS_BASE_URL_{account_suffix(name)}"] = "http://127.0.0.1:9"
    return env


def _counting(counts: Counter[str], name: str, real: Callable[..., Any]) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        counts[name] += 1
        return real(*args, **kwargs)

    return counted


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """How often each piece of shared work ran: every call still does the real work."""
    found: Counter[str] = Counter()
    real_compile = re.compile

    def compile_pattern(pattern: Any, flags: int = 0) -> re.Pattern[Any]:
        if isinstance(pattern, str) and "api\\-key\\-of\\-" in pattern:
            found["redaction patterns compiled"] += 1
        return real_compile(pattern, flags)

    spy_re = SimpleNamespace(compile=compile_pattern, escape=re.escape, Match=re.Match)
    monkeypatch.setattr(redaction, "re", spy_re)
    monkeypatch.setattr(redaction, "forms", _counting(found, "forms", redaction.forms))
    names = _counting(found, "names screened", secrets_in_play.names_a_secret)
    monkeypatch.setattr(secrets_in_play, "names_a_secret", names)
    yield found


def _plan(folder: Path, env: dict[str, str], *extra: str) -> str:
    args = ["plan", "-f", str(folder / "accounts"), "--detailed-exitcode", *extra]
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("No changes.") == ACCOUNTS
    return result.stdout


def test_the_environment_is_scanned_for_secrets_once_per_run_not_per_account(
    tmp_path: Path, counts: Counter[str]
) -> None:
    env = _fleet(tmp_path)
    variables = len(os.environ.keys() | env.keys())
    _plan(tmp_path, env)
    # One scan of the snapshot the accounts share, one of the command's redactor at its start.
    assert 0 < counts["names screened"] <= 2 * variables


def test_each_secret_is_worked_out_once_and_no_redaction_pattern_is_compiled_for_a_quiet_run(
    tmp_path: Path, counts: Counter[str]
) -> None:
    env = _fleet(tmp_path)
    _plan(tmp_path, env)
    secrets = {value for value in {**os.environ, **env}.values() if len(value) >= 4}
    assert counts["forms"] <= len(secrets)
    # Nothing was redacted: a pattern is compiled only when text is.
    assert counts["redaction patterns compiled"] == 0


def test_redacting_an_error_in_every_account_works_out_each_secret_once(
    tmp_path: Path, counts: Counter[str]
) -> None:
    env = _fleet(tmp_path)
    for file in (tmp_path / "accounts").glob("*.yaml"):  # each account's error is redacted
        file.write_text(file.read_text(encoding="utf-8") + "unknown_field: 1\n", encoding="utf-8")
    args = ["plan", "-f", str(tmp_path / "accounts")]
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert result.exit_code == 1
    # The accounts' errors read alike once their names are taken out: reported once, naming all.
    assert result.stderr.count("unknown field 'unknown_field'") == 1
    assert f"error: {ACCOUNTS} accounts (" in result.stderr
    secrets = {value for value in {**os.environ, **env}.values() if len(value) >= 4}
    assert 0 < counts["forms"] <= len(secrets)
    assert counts["redaction patterns compiled"] == 1


def test_a_redactor_compiles_its_pattern_once_for_all_that_share_its_secrets(
    counts: Counter[str],
) -> None:
    secrets = [f"api-key-of-conta-{number}-{id(counts)}" for number in range(ACCOUNTS)]
    first, second = redaction.Redactor(secrets), redaction.Redactor(reversed(secrets))
    assert counts["redaction patterns compiled"] == 0  # nothing redacted yet
    text = f"the key {secrets[2]} leaked"
    assert first(text) == second(text) == "the key (sensitive) leaked"
    assert counts["redaction patterns compiled"] == 1
    assert first.with_secrets("another-secret")(text) == "the key (sensitive) leaked"
    assert counts["redaction patterns compiled"] == 2


def test_the_settings_file_is_read_and_screened_once_per_run(
    tmp_path: Path, counts: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import reconciler.settings as settings

    env = _fleet(tmp_path)
    env_file = tmp_path / "outside" / "fleet.env"
    env_file.parent.mkdir()
    env_file.write_text("RECONCILER_CONCURRENCY=4\nRECONCILER_RATE_LIMIT_CONTA_2=120\n")
    monkeypatch.setattr(
        settings, "parse_stream", _counting(counts, "screened", settings.parse_stream)
    )
    monkeypatch.setattr(
        settings, "dotenv_values", _counting(counts, "parsed", settings.dotenv_values)
    )
    _plan(tmp_path, env, "--env-file", str(env_file))
    # Once for the command's redactor at its start, once for the accounts' shared snapshot.
    assert 0 < counts["screened"] <= 2
    assert 0 < counts["parsed"] <= 2


def test_validating_a_fleet_scans_the_environment_for_secrets_once(
    tmp_path: Path, counts: Counter[str]
) -> None:
    env = _fleet(tmp_path)
    variables = len(os.environ.keys() | env.keys())
    args = ["validate", "-f", str(tmp_path / "accounts")]
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.count(": valid (") == ACCOUNTS
    assert 0 < counts["names screened"] <= 2 * variables


def test_a_fleet_builds_one_secret_screen_not_one_per_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: Counter[str] = Counter()
    real = secrets_in_play.SecretScreen.__init__

    def counted(self: secrets_in_play.SecretScreen, secrets: Any) -> None:
        built["screens"] += 1
        real(self, secrets)

    monkeypatch.setattr(secrets_in_play.SecretScreen, "__init__", counted)
    _plan(tmp_path, _fleet(tmp_path))
    assert 0 < built["screens"] <= 1


@settings(max_examples=200, deadline=None)
@given(
    secrets=st.lists(st.text(alphabet="ab-1", min_size=4, max_size=12), max_size=40),
    text=st.text(alphabet="ab-1 ", max_size=80),
    many=st.integers(min_value=0, max_value=2),
)
def test_a_screen_of_many_secrets_finds_exactly_what_one_search_per_secret_finds(
    secrets: list[str], text: str, many: int
) -> None:
    # Padding with secrets that never occur pushes the screen past FEW_SECRETS, where it
    # passes over the text once instead of searching it once per secret.
    padding = [f"zz{number:010d}" for number in range(many * secrets_in_play.FEW_SECRETS)]
    screen = secrets_in_play.SecretScreen([*secrets, *padding])
    expected = text in {s for s in secrets if len(s) >= 4} or any(
        secret in text for secret in secrets if len(secret) >= 8
    )
    assert screen.holds(text) is expected
    assert screen.any_holds([text]) is (
        expected or any(f"\0{s}\0" in f"\0{text}\0" for s in secrets)
    )


def test_an_accounts_settings_are_built_once_per_run_and_cannot_be_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pydantic import ValidationError

    from reconciler.workflows.fleet_run import fleet_accounts
    from reconciler.workflows.target import Target

    for name, value in _fleet(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("RECONCILER_RATE_LIMIT_CONTA_1", "120")
    template = Target(tmp_path / "accounts", None, False, None)
    accounts = fleet_accounts([tmp_path / "accounts"], None, template)
    first, second = accounts[0].target, accounts[1].target
    assert first.environment is second.environment is template.environment
    assert first.tool_settings() is first.tool_settings()
    assert (first.tool_settings().rate_limit, second.tool_settings().rate_limit) == (780, 120)
    with pytest.raises(ValidationError):
        first.tool_settings().rate_limit = 1
