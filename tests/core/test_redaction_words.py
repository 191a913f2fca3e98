"""A secret that is an ordinary word (an API key ``missing``, the sandbox's ``sandbox``) is
redacted where it stands as a value, never out of the words of a server's sentence."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.core.redaction import Redactor, word_like
from reconciler.core.secrets import REDACTED


@pytest.mark.parametrize("key", ["missing", "Invalid", "sandbox", "DEMO", "password"])
def test_a_word_key_leaves_the_sentences_of_a_server_whole(key: str) -> None:
    redact = Redactor([key])
    for text in (
        f"the API key is {key} or wrong",
        f"{key} API key",
        f"API key {key}.",
        f"({key})",
        f"{key}ness and un{key}",
    ):
        assert redact(text) == text
        assert redact.shown(text) == text


@pytest.mark.parametrize("key", ["missing", "Invalid", "sandbox", "DEMO", "password"])
def test_a_word_key_is_redacted_where_it_stands_as_a_value(key: str) -> None:
    redact = Redactor([key])
    assert redact(f"GET /clients.json?api_key={key}") == f"GET /clients.json?api_key={REDACTED}"
    assert redact(f"GET /clients.json?api_key={key}&page=2") == (
        f"GET /clients.json?api_key={REDACTED}&page=2"
    )
    echoed = json.dumps({"api_key": key, "message": f"key is {key}"})
    assert key not in redact(echoed).replace(f"key is {key}", "")
    assert redact(f"key='{key}'") == f"key='{REDACTED}'"
    assert redact(f"api_key = {key}") == f"api_key = {REDACTED}"
    assert redact(f"/{key}/") == f"/{REDACTED}/"
    encoded = base64.b64encode(key.encode()).decode()
    assert redact(f"the key {encoded} is wrong") == f"the key {REDACTED} is wrong"


def test_a_key_that_is_not_a_word_is_redacted_everywhere() -> None:
    for key in ("s3cret-key", "missing1", "mIsSiNg", "averyveryverylongword"):
        assert not word_like(key)
        assert Redactor([key])(f"the API key is {key} or wrong") == (
            f"the API key is {REDACTED} or wrong"
        )


def test_the_word_rule_is_letters_written_as_a_word_of_4_to_12() -> None:
    assert all(word_like(w) for w in ("miss", "missing", "Missing", "MISSING", "abcdefghijkl"))
    assert not any(word_like(w) for w in ("abc", "abcdefghijklm", "miss-ing", "mIss", "mißing"))


@given(
    key=st.from_regex(r"[a-z]{4,12}", fullmatch=True),
    before=st.sampled_from(["=", '"', "'", "`", "/", ":", "= "]),
    after=st.sampled_from(['"', "'", "&", "/", " ", ".", "\n"]),
)
def test_a_word_key_after_a_value_delimiter_is_never_shown(
    key: str, before: str, after: str
) -> None:
    redact = Redactor([key])
    text = f"echo{before}{key}{after}tail"
    assert redact(text) == f"echo{before}{REDACTED}{after}tail"
    assert redact.shown(text) == f"echo{before}{REDACTED}{after}tail"


def test_two_word_secrets_are_each_redacted_where_they_stand_as_values() -> None:
    """Found by mutation testing (tests/MUTATION.md): one pattern holds several word secrets."""
    redact = Redactor(["missing", "sandbox"])
    text = "/clients.json?api_key=missing&password=sandbox&note=key missing, no sandbox"
    assert redact(text) == (
        f"/clients.json?api_key={REDACTED}&password={REDACTED}&note=key missing, no sandbox"
    )
