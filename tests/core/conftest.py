"""Under mutation testing (mutmut sets ``MUTANT_UNDER_TEST``), every test works out the
redactor's forms and patterns afresh: cached from an earlier test, a mutant of ``forms`` would
never run, and mutmut would not see which tests reach it (tests/MUTATION.md)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from reconciler.core import redaction


@pytest.fixture(autouse=True)
def _fresh_redaction_caches() -> Iterator[None]:
    if "MUTANT_UNDER_TEST" in os.environ:
        redaction._forms_of.cache_clear()
        redaction._pattern_of.cache_clear()
    yield
