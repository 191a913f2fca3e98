"""Whatever the input, loading ends in a Desired or a ValidationFailed, never another exception.

Longer runs: ``INPUT_FUZZ_PROFILE=input-fuzz-long pytest tests/input/test_fuzz.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.desired.document import load_desired
from reconciler.errors import ValidationFailed
from tests.support.fuzz import documents, dump, keys, mutated, yaml_text

from .conftest import FUZZ_PROFILE

ENV = {"AT_PASSWORD": "segredo123", "NAME": "Ana"}
FUZZ = settings(settings.get_profile(FUZZ_PROFILE))


def check(content: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.yaml"
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", errors="surrogatepass")
        else:
            path.write_bytes(content)
        try:
            load_desired(path, ENV)
        except ValidationFailed as failure:
            assert failure.problems
            for problem in failure.problems:
                assert problem.file == str(path)
                assert problem.line >= 1 and problem.column >= 1 and problem.message


@FUZZ
@given(st.dictionaries(keys, documents, max_size=4) | documents)
def test_random_documents(data: Any) -> None:
    check(dump(data))


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes(content: bytes) -> None:
    check(content)


@FUZZ
@given(yaml_text)
def test_random_yaml_like_text(text: str) -> None:
    check(text)


@FUZZ
@given(mutated())
def test_mutated_valid_file(text: str) -> None:
    check(text)
