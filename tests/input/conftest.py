"""Fixtures for the input-side tests: write a desired-state file, collect its problems."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from reconciler.desired.document import Desired, load_desired
from reconciler.errors import Problem, ValidationFailed

CASES = Path(__file__).parent / "cases"

settings.register_profile(
    "input-fuzz", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "input-fuzz-long",
    max_examples=20_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
FUZZ_PROFILE = os.environ.get("INPUT_FUZZ_PROFILE", "input-fuzz")

Problems = Callable[..., list[Problem]]


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str | bytes], Path]:
    """Write text or bytes to a fresh ``state.yaml`` and return its path."""

    def write(content: str | bytes) -> Path:
        path = tmp_path / "state.yaml"
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return path

    return write


@pytest.fixture
def problems(write: Callable[[str | bytes], Path]) -> Problems:
    """The problems ``load_desired`` reports for some content ([] when it loads)."""

    def problems(content: str | bytes, environ: Mapping[str, str] | None = None) -> list[Problem]:
        try:
            load_desired(write(content), environ or {})
        except ValidationFailed as failure:
            assert failure.problems, "ValidationFailed without problems"
            return failure.problems
        return []

    return problems


@pytest.fixture
def one_problem(problems: Problems) -> Callable[..., Problem]:
    """The single problem reported for some content."""

    def one_problem(content: str | bytes, environ: Mapping[str, str] | None = None) -> Problem:
        found = problems(content, environ)
        assert len(found) == 1, "\n".join(map(str, found))
        return found[0]

    return one_problem


@pytest.fixture
def load(write: Callable[[str | bytes], Path]) -> Callable[..., Desired]:
    """Load content that must be valid."""

    def load(content: str, environ: Mapping[str, str] | None = None) -> Desired:
        return load_desired(write(content), environ or {})

    return load
