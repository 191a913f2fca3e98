"""The settings as pydantic-settings declares them: which account to talk to, and the tool's
own knobs, each field with its default and its checks.

Imported when a command first reads its settings (``settings.load_api_settings``,
``settings.load_tool_settings``), not before: pydantic-settings loads ``asyncio``,
``argparse`` and its every source with it, which a command reading no settings (``validate``,
``schema``, ``--help``) never needs. A run checks the values it reads with a plain model of
these fields (``settings._plain``), so these classes' own validators are built only when one
is made directly (``ToolSettings(concurrency=4)``).
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """Which InvoiceXpress account to talk to, and how to authenticate."""

    model_config = SettingsConfigDict(
        env_prefix="INVOICEXPRESS_", extra="ignore", frozen=True, defer_build=True
    )

    account: str | None = None
    api_key: SecretStr | None = None
    base_url: str | None = None


class ToolSettings(BaseSettings):
    """The tool's own knobs: concurrency, limits, timeouts, retries, the digest key."""

    model_config = SettingsConfigDict(
        env_prefix="RECONCILER_", extra="ignore", frozen=True, defer_build=True
    )

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
