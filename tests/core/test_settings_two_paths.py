"""A run reads its settings through a plain pydantic model of their fields, not through the
pydantic-settings classes that declare them; for any environment both read the same values,
or both refuse it, naming the same variables with the same reasons.

Names are drawn in any case (pydantic-settings reads them case-insensitively), values valid
and invalid for their field; the environment is the process's own, as pydantic-settings reads
it, for the duration of one example.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from reconciler.errors import SettingsError
from reconciler.settings import (
    ApiSettings,
    Environment,
    ToolSettings,
    load_api_settings,
    load_tool_settings,
)

OURS = ("INVOICEXPRESS_", "RECONCILER_")
CLASSES = {ApiSettings: load_api_settings, ToolSettings: load_tool_settings}


def _names(cls: type[Any]) -> list[str]:
    prefix = str(cls.model_config["env_prefix"])
    return [f"{prefix}{field}".upper() for field in cls.model_fields]


def _any_case(name: str) -> st.SearchStrategy[str]:
    return st.tuples(*(st.sampled_from((c.lower(), c.upper())) for c in name)).map("".join)


_EDGES = ("", " ", "0", "1", "-1", "8", " 3 ", "64", "65", "1024", "1e3", "0.5", "inf", "nan")
_VALUES = st.one_of(
    st.sampled_from(_EDGES),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True).map(repr),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\0"), max_size=8),
)
_NAMES = [*_names(ApiSettings), *_names(ToolSettings), "RECONCILER_LOG", "HOME"]
ENVIRONMENTS = st.lists(
    st.tuples(st.sampled_from(_NAMES).flatmap(_any_case), _VALUES), max_size=8
).map(dict)


@contextmanager
def process_environment(variables: dict[str, str]) -> Iterator[None]:
    """The process environment without the tool's variables, then ``variables`` set in order."""
    saved = dict(os.environ)
    try:
        for name in [n for n in os.environ if n.upper().startswith(OURS)]:
            del os.environ[name]
        os.environ.update(variables)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _as_pydantic_settings_reads(cls: type[Any]) -> dict[str, Any] | str:
    """What ``cls`` reads from the process environment, or the run's message for its refusal."""
    prefix = str(cls.model_config["env_prefix"])
    try:
        return dict(cls())
    except ValidationError as exc:
        reasons = "; ".join(
            f"{prefix}{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}"
            for e in exc.errors(include_input=False)
        )
        return f"invalid settings: {reasons}"


def _as_the_run_reads(cls: type[Any]) -> dict[str, Any] | str:
    try:
        return dict(CLASSES[cls](environment=Environment()))
    except SettingsError as exc:
        return str(exc)


@pytest.mark.parametrize("cls", list(CLASSES), ids=lambda cls: cls.__name__)
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(variables=ENVIRONMENTS)
def test_a_run_reads_the_settings_as_pydantic_settings_does(
    cls: type[Any], variables: dict[str, str]
) -> None:
    with process_environment(variables):
        expected = _as_pydantic_settings_reads(cls)
        found = _as_the_run_reads(cls)
    assert found == expected
