"""Settings: base URL resolution and the refusal of plain HTTP beyond loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import SettingsError
from reconciler.settings import (
    ApiSettings,
    account_suffix,
    check_url_is_safe,
    load_api_settings,
    load_tool_settings,
    resolve_base_url,
)


def test_base_url_defaults_to_the_account_host() -> None:
    settings = ApiSettings(account="acme")
    assert resolve_base_url(settings) == "https://acme.app.invoicexpress.com"


def test_explicit_base_url_wins_and_loses_its_trailing_slash() -> None:
    settings = ApiSettings(account="acme", base_url="http://127.0.0.1:8080/")
    assert resolve_base_url(settings) == "http://127.0.0.1:8080"


def test_no_account_is_a_clear_error() -> None:
    with pytest.raises(SettingsError, match="INVOICEXPRESS_ACCOUNT"):
        resolve_base_url(ApiSettings())


@pytest.mark.parametrize(
    ("url", "twin"),
    [
        ("http://127.0.0.1:1", "http://128.0.0.1:1"),
        ("http://localhost:8080", "http://localhost.example:8080"),
        ("http://[::1]:80", "http://[::2]:80"),
        ("https://x.example", "http://x.example"),
    ],
)
def test_https_anywhere_and_http_to_loopback_are_accepted(url: str, twin: str) -> None:
    # Accepted: the URL is used as given. Its twin, one step off loopback or off https, is not.
    assert resolve_base_url(ApiSettings(base_url=url)) == url
    with pytest.raises(SettingsError, match="refusing base URL"):
        check_url_is_safe(twin)


@pytest.mark.parametrize(
    "url", ["http://example.com", "http://10.0.0.1", "ftp://127.0.0.1", "127.0.0.1:80", "https://"]
)
def test_anything_else_is_refused(url: str) -> None:
    with pytest.raises(SettingsError, match="refusing base URL"):
        check_url_is_safe(url)


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("lisboa", "LISBOA"),
        ("porto-2", "PORTO_2"),
        ("braga.norte", "BRAGA_NORTE"),
        ("évora", "_VORA"),
    ],
)
def test_an_accounts_suffix_is_its_name_upper_cased_with_other_characters_as_underscores(
    name: str, suffix: str
) -> None:
    assert account_suffix(name) == suffix


def test_an_accounts_own_variables_come_first_then_the_shared_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("INVOICEXPRESS_ACCOUNT_PORTO=from-the-file\nRECONCILER_CONCURRENCY=3\n")
    monkeypatch.setenv("INVOICEXPRESS_API_KEY", "shared-key")
    monkeypatch.setenv("INVOICEXPRESS_API_KEY_LISBOA", "lisboa-key")
    monkeypatch.setenv("INVOICEXPRESS_ACCOUNT", "shared")
    monkeypatch.setenv("RECONCILER_RATE_LIMIT_LISBOA", "120")
    lisboa = load_api_settings(env_file, "LISBOA")
    porto = load_api_settings(env_file, "PORTO")
    assert lisboa.api_key is not None and lisboa.api_key.get_secret_value() == "lisboa-key"
    assert porto.api_key is not None and porto.api_key.get_secret_value() == "shared-key"
    assert (lisboa.account, porto.account) == ("shared", "from-the-file")
    assert load_tool_settings(env_file, "LISBOA").rate_limit == 120
    assert load_tool_settings(env_file, "PORTO").rate_limit == 780
    assert load_tool_settings(env_file, "PORTO").concurrency == 3


def test_a_bad_suffixed_setting_is_named_with_its_suffix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECONCILER_CONCURRENCY_FARO", "many")
    with pytest.raises(SettingsError, match="RECONCILER_CONCURRENCY_FARO"):
        load_tool_settings(None, "FARO")
