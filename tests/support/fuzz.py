"""What the desired-state fuzz tests generate: documents of the models' own keys and values,
YAML-like text, and mutations of a valid file."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from ruamel.yaml import YAML

from reconciler.desired.models import (
    Account,
    Client,
    Credentials,
    DesiredState,
    PreferredContact,
    Sequences,
)

VALID = (Path(__file__).parents[1] / "input" / "cases" / "valid.yaml").read_text("utf-8")
"""A valid desired-state file, the start of every mutation."""

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


@st.composite
def mutated(draw: st.DrawFn, text: str = VALID) -> str:
    """``text`` with one to four of its spans cut and replaced by YAML's punctuation."""
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 8))
        insert = draw(st.text(alphabet=":-[]{}'\"&*!# \n\tx9$", max_size=3))
        text = text[:at] + insert + text[at + cut :]
    return text


def dump(data: Any) -> str:
    """``data`` as YAML."""
    stream = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, stream)
    return stream.getvalue()
