"""The settings' fields, each with its default and its checks, declared once as plain pydantic
models: which account to talk to, and the tool's own knobs.

A run reads its settings through these models (``settings.load_api_settings``,
``settings.load_tool_settings``): they read nothing of the environment themselves, so a run
never imports pydantic-settings. ``settings_models`` declares the pydantic-settings classes
(``ApiSettings``, ``ToolSettings``) from these same fields, for settings made in code.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr

_CONFIG = ConfigDict(extra="ignore", frozen=True, defer_build=True)


class ApiValues(BaseModel):
    """Which InvoiceXpress account to talk to, and how to authenticate."""

    model_config = _CONFIG
    ENV_PREFIX: ClassVar[str] = "INVOICEXPRESS_"

    account: str | None = None
    api_key: SecretStr | None = None
    base_url: str | None = None


class ToolValues(BaseModel):
    """The tool's own knobs: concurrency, limits, timeouts, retries, the digest key."""

    model_config = _CONFIG
    ENV_PREFIX: ClassVar[str] = "RECONCILER_"

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
