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
        ("https://127.0.0.1:8443", "https://128.0.0.1:8443"),
        ("https://acme.app.invoicexpress.com", "http://acme.app.invoicexpress.com"),
        (
            "https://ACME-2.app.invoicexpress.com/",
            "https://ACME-2.app.invoicexpress.com.x.example/",
        ),
    ],
)
def test_invoicexpress_account_hosts_and_loopback_are_accepted(url: str, twin: str) -> None:
    # Accepted: the URL is used as given. Its twin, one step off loopback, off https or off
    # the account's host, is not.
    assert resolve_base_url(ApiSettings(base_url=url)) == url.rstrip("/")
    with pytest.raises(SettingsError, match="refusing base URL"):
        check_url_is_safe(twin)


@pytest.mark.parametrize(
    "url",
    [
        "https://x.example",
        "https://app.invoicexpress.com",
        "https://a.b.app.invoicexpress.com",
        "https://acme.app.invoicexpress.com.evil.example",
        "https://acme.app.invoicexpress.comevil.example",
        "https://-acme.app.invoicexpress.com",
        "https://acme.app.invoicexpress.com\u3002evil.example",
    ],
)
def test_other_https_hosts_are_refused_naming_the_host_and_how_to_allow_it(url: str) -> None:
    with pytest.raises(SettingsError, match="RECONCILER_ALLOWED_HOSTS") as refused:
        check_url_is_safe(url)
    assert "refusing base URL host" in str(refused.value)


def test_a_host_the_operator_allows_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECONCILER_ALLOWED_HOSTS", " api.example.net ,Proxy.Example.COM")
    for url in (
        "https://api.example.net/v2",
        "https://proxy.example.com",
        "https://PROXY.example.com",
    ):
        check_url_is_safe(url)
    for url in ("https://example.net", "https://x.api.example.net", "http://api.example.net"):
        with pytest.raises(SettingsError, match="refusing base URL"):
            check_url_is_safe(url)


def test_the_base_url_must_be_the_named_accounts_host() -> None:
    settings = ApiSettings(account="acme", base_url="https://other.app.invoicexpress.com")
    with pytest.raises(SettingsError, match=r"acme\.app\.invoicexpress\.com"):
        resolve_base_url(settings)
    settings = ApiSettings(account="Acme", base_url="https://acme.app.invoicexpress.com")
    assert resolve_base_url(settings) == "https://acme.app.invoicexpress.com"


@pytest.mark.parametrize("account", ["evil.example/x?", "a.b", "acme@evil", "", "-x", "a" * 64])
def test_an_account_that_is_not_one_dns_label_is_refused(account: str) -> None:
    with pytest.raises(SettingsError, match="INVOICEXPRESS_ACCOUNT"):
        resolve_base_url(ApiSettings(account=account))


def test_a_base_url_with_a_user_or_password_is_refused() -> None:
    with pytest.raises(SettingsError, match="user name or password"):
        check_url_is_safe("https://me:pw@acme.app.invoicexpress.com")


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
    for name in ("INVOICEXPRESS_ACCOUNT_PORTO", "RECONCILER_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
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


def test_no_settings_file_is_read_unless_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RECONCILER_CONCURRENCY", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("RECONCILER_CONCURRENCY=3\n")
    assert load_tool_settings().concurrency == 8
    assert load_tool_settings(Path(".env")).concurrency == 3


def test_a_named_settings_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="no such settings file"):
        load_tool_settings(tmp_path / "nothing.env")


def test_the_repository_screen_names_every_line_and_variable_but_no_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RECONCILER_TRUST_ENV_FILE", raising=False)
    env_file = tmp_path / "settings.env"
    env_file.write_text(
        "RECONCILER_CONCURRENCY=2\n"
        "INVOICEXPRESS_BASE_URL=https://evil.example\n"
        "# RECONCILER_STATE_URL=postgresql://commented/out\n"
        "reconciler_state_url_Porto=postgresql://u:hunter2@evil.example/db\n"
        "RECONCILER_ALLOWED_HOSTS=evil.example\n"
    )
    with pytest.raises(SettingsError) as refused:
        load_api_settings(env_file, repository=tmp_path)
    message = str(refused.value)
    assert f"{env_file}:2: INVOICEXPRESS_BASE_URL" in message
    assert f"{env_file}:4: RECONCILER_STATE_URL_PORTO" in message
    assert f"{env_file}:5: RECONCILER_ALLOWED_HOSTS" in message
    assert ":3:" not in message and "evil" not in message and "hunter2" not in message
    # Outside the repository, the operator's file may say where the key goes ...
    env_file.write_text("INVOICEXPRESS_BASE_URL=http://127.0.0.1:1\n")
    assert load_api_settings(env_file, repository=tmp_path / "repo").base_url is not None
    # ... and inside it, when the operator trusts it; a trust setting never comes from a file.
    monkeypatch.setenv("RECONCILER_TRUST_ENV_FILE", "1")
    assert load_api_settings(env_file, repository=tmp_path).base_url is not None
    env_file.write_text("RECONCILER_ALLOW_SYMLINKS=1\n")
    with pytest.raises(SettingsError, match="only from the process environment"):
        load_tool_settings(env_file, repository=tmp_path / "repo")


def test_settings_none_of_whose_variables_is_set_are_their_defaults_without_a_model() -> None:
    """Nothing set: the declared defaults, as the checking model would give them, without
    building its validator; one variable set: the model checks it."""
    from reconciler import settings

    environment = settings.Environment({"RECONCILER_LOG": "info", "HOME": "/home/someone"})
    unbuilt = not settings.ApiValues.__pydantic_complete__

    api = load_api_settings(environment=environment)

    assert not unbuilt or not settings.ApiValues.__pydantic_complete__
    assert api == settings.ApiValues.model_construct()
    assert dict(api) == dict(settings.ApiValues.model_validate({}))
    assert dict(api) == dict(ApiSettings.model_validate({}))
    assert api.model_fields_set == set()
    tool = load_tool_settings(environment=settings.Environment({"RECONCILER_CONCURRENCY": "3"}))
    assert tool.concurrency == 3 and tool.model_fields_set == {"concurrency"}
