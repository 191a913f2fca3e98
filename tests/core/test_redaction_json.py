"""A secret echoed inside a JSON answer is redacted however the server's encoder escaped it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.core.redaction import Redactor, json_escaped
from reconciler.core.secrets import REDACTED

SECRET = 'Pa"s\\s/w\u00f6rd\u20ac\U0001f600<&>'
"""A quote, a backslash, a slash, non-ASCII (one character past the BMP) and HTML's three."""

# The secret as each encoder writes it inside a JSON string, spelt out by hand.
ENCODERS = {
    "Python json.dumps": r"Pa\"s\\s/w\u00f6rd\u20ac\ud83d\ude00<&>",
    "Ruby JSON.generate": 'Pa\\"s\\\\s/w\u00f6rd\u20ac\U0001f600<&>',
    "PHP json_encode": r"Pa\"s\\s\/w\u00f6rd\u20ac\ud83d\ude00<&>",
    "PHP JSON_UNESCAPED_UNICODE": 'Pa\\"s\\\\s\\/w\u00f6rd\u20ac\U0001f600<&>',
    "Go encoding/json, Rails": 'Pa\\"s\\\\s/w\u00f6rd\u20ac\U0001f600\\u003c\\u0026\\u003e',
    "Jackson ESCAPE_NON_ASCII": r"Pa\"s\\s/w\u00F6rd\u20AC\uD83D\uDE00<&>",
    ".NET System.Text.Json": r"Pa\u0022s\\s/w\u00F6rd\u20AC\uD83D\uDE00\u003C\u0026\u003E",
}


def test_the_forms_spelt_out_are_the_secret_in_json() -> None:
    for written in ENCODERS.values():
        assert json.loads(f'"{written}"') == SECRET


@pytest.mark.parametrize("encoder", ENCODERS)
def test_a_secret_echoed_by_any_common_json_encoder_is_redacted(encoder: str) -> None:
    answer = '{"detail": "rejected ' + ENCODERS[encoder] + ' for account 7"}'
    redacted = Redactor([SECRET])(answer)
    assert redacted == f'{{"detail": "rejected {REDACTED} for account 7"}}'


@given(st.text())
def test_the_default_style_is_what_json_dumps_writes(value: str) -> None:
    assert json_escaped(value) == json.dumps(value)[1:-1]
    assert json_escaped(value, ascii_only=False) == json.dumps(value, ensure_ascii=False)[1:-1]


@given(
    st.text(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["", "<>&", "<>&'\"+`"]),
)
def test_every_style_writes_json_that_reads_back_as_the_value(
    value: str, upper: bool, ascii_only: bool, slash: bool, html: str
) -> None:
    written = json_escaped(value, upper=upper, ascii_only=ascii_only, slash=slash, html=html)
    assert json.loads(f'"{written}"') == value
