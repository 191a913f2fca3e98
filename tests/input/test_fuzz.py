"""Whatever the input, loading ends in a Desired or a ValidationFailed, never another exception.

Longer runs: ``INPUT_FUZZ_PROFILE=input-fuzz-long pytest tests/input/test_fuzz.py``.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from reconciler.desired.document import load_desired
from reconciler.desired.models import (
    Account,
    Client,
    Credentials,
    DesiredState,
    PreferredContact,
    Sequences,
)
from reconciler.errors import ValidationFailed

from .conftest import CASES, FUZZ_PROFILE

MODELS = (DesiredState, Account, Credentials, Sequences, Client, PreferredContact)
FIELDS = sorted(
    {info.alias or name for model in MODELS for name, info in model.model_fields.items()}
)
SAMPLES = [
    "pt",
    "en",
    "1500-555",
    "999999990/1",
    "a@b.pt",
    "Portugal",
    "${NAME}",
    "${MISSING}",
    "${",
    "$$",
    "0213456789",
    "1",
    "4",
]
VALID = (CASES / "valid.yaml").read_text(encoding="utf-8")
ENV = {"AT_PASSWORD": "segredo123", "NAME": "Ana"}
FUZZ = settings(settings.get_profile(FUZZ_PROFILE))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(SAMPLES),
)
keys = st.one_of(st.sampled_from(FIELDS), st.text(max_size=12))
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=6)
    ),
    max_leaves=40,
)
yaml_text = st.lists(
    st.sampled_from([*"abcdei01:-[]{},&*!|>'\"#%@?$\n\t  ~.", "\n  ", ": ", "- ", "id"]),
    max_size=100,
).map("".join)


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


def dump(data: Any) -> str:
    stream = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, stream)
    return stream.getvalue()


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
@given(st.data())
def test_mutated_valid_file(data: st.DataObject) -> None:
    text = VALID
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 8))
        insert = data.draw(st.text(alphabet=":-[]{}'\"&*!# \n\tx9$", max_size=3))
        text = text[:at] + insert + text[at + cut :]
    check(text)
