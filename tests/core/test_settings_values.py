"""Each setting's default and its bounds, as a run reads them from its environment: the value
README's settings table promises when the variable is unset, the edges it accepts, and the
values just past them it refuses, naming the variable.

``tests/core/test_settings_two_paths.py`` holds the run's reading to pydantic-settings', which
declares its fields from the same models; this table holds the fields themselves.
"""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.errors import SettingsError
from reconciler.settings import Environment, load_api_settings, load_tool_settings

# name: (default, accepted edges, refused values just past them)
TOOL: dict[str, tuple[Any, tuple[str, ...], tuple[str, ...]]] = {
    "concurrency": (8, ("1", "64"), ("0", "65")),
    "rate_limit": (780, ("0", "100000"), ("-1",)),
    "rate_window": (60.0, ("0.001", "3600"), ("0", "3600.5")),
    "connect_timeout": (10.0, ("0.001",), ("0", "-1")),
    "read_timeout": (30.0, ("0.001",), ("0", "-1")),
    "request_deadline": (60.0, ("0.001",), ("0", "-1")),
    "max_response_bytes": (16 * 1024 * 1024, ("1024",), ("1023",)),
    "retry_budget": (120.0, ("0",), ("-0.001",)),
    "max_attempts": (6, ("1",), ("0",)),
    "max_change_fraction": (0.3, ("0.001", "1"), ("0", "1.001")),
    "retry_backoff": (0.5, ("0.001",), ("0", "-1")),
    "retry_max_wait": (10.0, ("0.001",), ("0", "-1")),
    "digest_key": (None, ("k",), ()),
    "state_url": (None, ("postgresql://db/x",), ()),
    "accounts_at_once": (4, ("1", "64"), ("0", "65")),
}


def test_every_tool_setting_is_in_the_table() -> None:
    assert set(dict(load_tool_settings(environment=Environment({})))) == set(TOOL)


@pytest.mark.parametrize("name", list(TOOL))
def test_an_unset_tool_setting_is_its_default(name: str) -> None:
    unset = load_tool_settings(environment=Environment({}))
    # One other variable set: the checking model builds the settings, not the shortcut.
    other = "RECONCILER_RATE_LIMIT" if name != "rate_limit" else "RECONCILER_CONCURRENCY"
    checked = load_tool_settings(environment=Environment({other: "5"}))
    assert getattr(unset, name) == getattr(checked, name) == TOOL[name][0]
    assert type(getattr(checked, name)) is type(TOOL[name][0])


@pytest.mark.parametrize(
    ("name", "text"), [(name, text) for name, (_, edges, _) in TOOL.items() for text in edges]
)
def test_a_tool_setting_at_its_edge_is_accepted(name: str, text: str) -> None:
    read = load_tool_settings(environment=Environment({f"RECONCILER_{name.upper()}": text}))
    value = getattr(read, name)
    shown = value.get_secret_value() if hasattr(value, "get_secret_value") else value
    assert shown == type(shown)(text)


@pytest.mark.parametrize(
    ("name", "text"), [(name, text) for name, (_, _, past) in TOOL.items() for text in past]
)
def test_a_tool_setting_past_its_edge_is_refused_by_name(name: str, text: str) -> None:
    variable = f"RECONCILER_{name.upper()}"
    with pytest.raises(SettingsError, match=f"{variable}: Input should be") as refused:
        load_tool_settings(environment=Environment({variable: text}))
    assert str(refused.value).count("\n") == 0


def test_the_api_settings_are_unset_by_default_and_read_with_their_prefix() -> None:
    assert dict(load_api_settings(environment=Environment({}))) == {
        "account": None,
        "api_key": None,
        "base_url": None,
    }
    read = load_api_settings(
        environment=Environment(
            {
                "INVOICEXPRESS_ACCOUNT": "acme",
                "INVOICEXPRESS_API_KEY": "k-1",
                "INVOICEXPRESS_BASE_URL": "http://127.0.0.1:9",
                "RECONCILER_ACCOUNT": "other",
            }
        )
    )
    assert (read.account, read.base_url) == ("acme", "http://127.0.0.1:9")
    assert read.api_key is not None and read.api_key.get_secret_value() == "k-1"
    assert "k-1" not in repr(read)


def test_the_tool_settings_are_read_with_their_prefix_only() -> None:
    read = load_tool_settings(
        environment=Environment({"INVOICEXPRESS_CONCURRENCY": "2", "RECONCILER_CONCURRENCY": "3"})
    )
    assert read.concurrency == 3


def test_settings_read_are_frozen() -> None:
    read = load_tool_settings(environment=Environment({"RECONCILER_CONCURRENCY": "3"}))
    with pytest.raises(ValueError, match="frozen"):
        read.concurrency = 4  # type: ignore[misc]
