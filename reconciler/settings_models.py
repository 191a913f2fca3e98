"""The settings as pydantic-settings declares them, for settings made in code
(``ToolSettings(concurrency=4)``, which reads the environment as pydantic-settings does).

Each class takes its fields and checks from the plain model of ``settings_values``, the one a
run reads its settings with: the two cannot drift apart. A run never imports this module
(pydantic-settings loads ``asyncio``, ``ssl``, ``argparse`` and its every source with it);
``settings.ApiSettings`` and ``settings.ToolSettings`` import it when first named.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from reconciler.settings_values import ApiValues, ToolValues


class ApiSettings(BaseSettings, ApiValues):
    """Which InvoiceXpress account to talk to, and how to authenticate."""

    model_config = SettingsConfigDict(
        env_prefix=ApiValues.ENV_PREFIX, extra="ignore", frozen=True, defer_build=True
    )


class ToolSettings(BaseSettings, ToolValues):
    """The tool's own knobs: concurrency, limits, timeouts, retries, the digest key."""

    model_config = SettingsConfigDict(
        env_prefix=ToolValues.ENV_PREFIX, extra="ignore", frozen=True, defer_build=True
    )
