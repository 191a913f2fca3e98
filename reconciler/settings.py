"""Settings from the environment or a ``.env`` file (pydantic-settings).

The API key and account name never come from the desired-state file. ``INVOICEXPRESS_*``
variables say which account to talk to; ``RECONCILER_*`` variables tune the tool itself. In a
fleet, each account's settings come first from the same variables suffixed with the account's
name (``INVOICEXPRESS_API_KEY_LISBOA``), then from the unsuffixed ones.
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from reconciler.errors import SettingsError
from reconciler.fileio import UnreadableFile, read_regular

_S = TypeVar("_S", bound=BaseSettings)
_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")


class ApiSettings(BaseSettings):
    """Which InvoiceXpress account to talk to, and how to authenticate."""

    model_config = SettingsConfigDict(env_prefix="INVOICEXPRESS_", extra="ignore")

    account: str | None = None
    api_key: SecretStr | None = None
    base_url: str | None = None


class ToolSettings(BaseSettings):
    """The tool's own knobs: concurrency, limits, timeouts, retries, the digest key."""

    model_config = SettingsConfigDict(env_prefix="RECONCILER_", extra="ignore")

    concurrency: int = Field(default=8, ge=1, le=64)
    rate_limit: int = Field(default=780, ge=0, description="requests per minute; 0 turns it off")
    rate_window: float = Field(
        default=60.0, gt=0, le=3600, description="seconds over which the API counts requests"
    )
    connect_timeout: float = Field(default=10.0, gt=0)
    read_timeout: float = Field(default=30.0, gt=0)
    request_deadline: float = Field(
        default=60.0, gt=0, description="seconds one request may take in all, answer included"
    )
    max_response_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1024, description="largest answer read; larger is refused"
    )
    retry_budget: float = Field(default=120.0, ge=0, description="seconds of retrying per call")
    max_attempts: int = Field(default=6, ge=1)
    max_change_fraction: float = Field(
        default=0.3, gt=0, le=1, description="most of the managed clients an apply may update"
    )
    retry_backoff: float = Field(default=0.5, gt=0, description="first retry wait; doubles")
    retry_max_wait: float = Field(default=10.0, gt=0, description="longest backoff wait")
    digest_key: SecretStr | None = Field(
        default=None, description="key for secret digests in the known state; default: the API key"
    )
    state_url: SecretStr | None = Field(
        default=None, description="postgresql:// URL of a database keeping the known state"
    )
    accounts_at_once: int = Field(
        default=4, ge=1, le=64, description="accounts of a fleet worked on in parallel"
    )


def account_suffix(name: str) -> str:
    """The suffix of an account's own settings variables: its name upper-cased, every
    character but an ASCII letter or digit written ``_`` (``porto-2`` → ``PORTO_2``)."""
    return _NOT_ALPHANUMERIC.sub("_", name).upper()


def _suffixed(cls: type[_S], env_file: Path | None, suffix: str) -> dict[str, str]:
    """The fields of ``cls`` set by a variable suffixed ``_<suffix>``, from the environment,
    then the ``.env`` file."""
    prefix = str(cls.model_config.get("env_prefix", ""))
    from_file = dotenv_values(env_file) if env_file is not None else {}
    found: dict[str, str] = {}
    for field in cls.model_fields:
        name = f"{prefix}{field}_{suffix}".upper()
        value = os.environ.get(name, from_file.get(name))
        if value is not None:
            found[field] = value
    return found


MAX_ENV_FILE_BYTES = 1024 * 1024


def _check_env_file(env_file: Path) -> None:
    """Refuse a settings file that is not a regular file or not UTF-8, naming it."""
    try:
        data = read_regular(env_file, MAX_ENV_FILE_BYTES)
    except FileNotFoundError:
        return
    except UnreadableFile as exc:
        raise SettingsError(f"{env_file}: {exc}") from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SettingsError(
            f"{env_file}:{line}: not valid UTF-8 text (byte 0x{data[exc.start]:02x})"
        ) from None


def _load(cls: type[_S], env_file: Path | None, suffix: str | None) -> _S:
    if env_file is not None:
        _check_env_file(env_file)
    own: dict[str, Any] = dict(_suffixed(cls, env_file, suffix)) if suffix else {}
    try:
        return cls(_env_file=env_file, **own)
    except ValidationError as exc:
        prefix = cls.model_config.get("env_prefix", "")

        def variable(loc: tuple[int | str, ...]) -> str:
            name = f"{prefix}{'.'.join(map(str, loc)).upper()}"
            return f"{name}_{suffix}" if loc and loc[0] in own else name

        problems = "; ".join(
            f"{variable(e['loc'])}: {e['msg']}" for e in exc.errors(include_input=False)
        )
        raise SettingsError(f"invalid settings: {problems}") from None


def load_api_settings(
    env_file: Path | None = Path(".env"), suffix: str | None = None
) -> ApiSettings:
    """API settings from the environment, then the ``.env`` file if it exists; with
    ``suffix``, a variable ending ``_<suffix>`` first."""
    return _load(ApiSettings, env_file if env_file and env_file.exists() else None, suffix)


def load_tool_settings(
    env_file: Path | None = Path(".env"), suffix: str | None = None
) -> ToolSettings:
    """Tool settings from the environment, then the ``.env`` file if it exists; with
    ``suffix``, a variable ending ``_<suffix>`` first."""
    return _load(ToolSettings, env_file if env_file and env_file.exists() else None, suffix)


def resolve_base_url(settings: ApiSettings) -> str:
    """The API's base URL: explicit, or ``https://{account}.app.invoicexpress.com``."""
    if settings.base_url:
        url = settings.base_url.rstrip("/")
    elif settings.account:
        url = f"https://{settings.account}.app.invoicexpress.com"
    else:
        raise SettingsError(
            "no account configured: set INVOICEXPRESS_ACCOUNT (or INVOICEXPRESS_BASE_URL), "
            "or use --sandbox to run against the bundled sandbox"
        )
    check_url_is_safe(url)
    return url


def require_api_key(settings: ApiSettings) -> SecretStr:
    """The API key, or a clear error saying where to set it."""
    if settings.api_key is None or not settings.api_key.get_secret_value():
        raise SettingsError("no API key configured: set INVOICEXPRESS_API_KEY (or use --sandbox)")
    return settings.api_key


def check_url_is_safe(url: str) -> None:
    """HTTPS always; plain HTTP only to a loopback address (the local sandbox)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return
    raise SettingsError(
        f"refusing base URL {parts.scheme}://{parts.hostname or ''}: "
        "use https:// (plain http:// is allowed only to a loopback address)"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
