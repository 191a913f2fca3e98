"""Settings: base URL resolution and the refusal of plain HTTP beyond loopback."""

from __future__ import annotations

import pytest

from reconciler.errors import SettingsError
from reconciler.settings import ApiSettings, check_url_is_safe, resolve_base_url


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
    "url", ["http://127.0.0.1:1", "http://localhost:8080", "http://[::1]:80", "https://x.example"]
)
def test_https_anywhere_and_http_to_loopback_are_accepted(url: str) -> None:
    check_url_is_safe(url)


@pytest.mark.parametrize(
    "url", ["http://example.com", "http://10.0.0.1", "ftp://127.0.0.1", "127.0.0.1:80", "https://"]
)
def test_anything_else_is_refused(url: str) -> None:
    with pytest.raises(SettingsError, match="refusing base URL"):
        check_url_is_safe(url)
