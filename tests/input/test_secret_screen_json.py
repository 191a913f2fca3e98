"""The secret screen's search over the desired data's JSON agrees with its search over the
data's keys and texts: it never misses a secret one of them holds."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.desired.loader import ImplicitScalar
from reconciler.desired.secret_screen import _leaves, _texts, may_hold
from reconciler.desired.secrets_in_play import SecretScreen

# What JSON writes escaped or cannot write, beside ordinary and non-ASCII characters.
AWKWARD = ['"', "\\", "\0", "\x1f", "\n", "\x7f", "é", "\u2028", "\ud800", "😀"]
characters = st.one_of(st.characters(), st.sampled_from(AWKWARD))
texts = st.text(characters, max_size=16)
scalars = st.one_of(
    texts,
    texts.map(ImplicitScalar),
    st.integers(),
    st.floats(allow_nan=False),
    st.none(),
    st.booleans(),
)
keys = st.one_of(texts, texts.map(ImplicitScalar))  # the loader's keys are text
data = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=12,
)


def _strings(value: Any) -> list[str]:
    return [text for _, text, _ in _leaves(value, ()) if isinstance(text, str)]


@settings(max_examples=500, deadline=None)
@given(value=data, secrets=st.lists(texts, max_size=3), picks=st.lists(st.integers(0, 99)))
def test_the_json_search_never_misses_a_secret_a_key_or_text_holds(
    value: Any, secrets: list[str], picks: list[int]
) -> None:
    held = _strings(value)
    for pick in picks[:3]:  # mostly secrets the data holds: whole, or a part of a text
        if held:
            text = held[pick % len(held)]
            secrets.append(text if pick % 2 else text[pick % 5 :])
    screen = SecretScreen(secrets)
    if any(screen.holds(text) for text in held):
        assert may_hold(screen, value)
    elif not any("\0" in text for text in held):
        assert may_hold(screen, value) == screen.any_holds(_texts(value, [])) or _numbers(value)


def _numbers(value: Any) -> bool:
    """Whether ``value`` holds a number, whose digits the JSON search may take for a secret."""
    if isinstance(value, dict):
        return any(_numbers(item) for item in value.values())
    if isinstance(value, list):
        return any(_numbers(item) for item in value)
    return type(value) in (int, float, bool) or value is None


def test_a_secret_with_a_character_json_escapes_is_searched_in_the_texts() -> None:
    screen = SecretScreen(['pa"ss-word'])
    assert screen.in_json(orjson.dumps({"a": 'pa"ss-word'})) is None
    assert may_hold(screen, {"a": 'x pa"ss-word y'})
    assert not may_hold(screen, {"a": "password"})


def test_a_short_secret_is_found_only_as_a_whole_key_or_text() -> None:
    screen = SecretScreen(["abcd"])
    assert screen.in_json(orjson.dumps({"a": ["abcd"]})) is True
    assert screen.in_json(orjson.dumps({"abcd": 1})) is True
    assert screen.in_json(orjson.dumps({"a": "xabcdx"})) is False
