"""Text in a plan is shown as ``json.dumps(value, ensure_ascii=False)`` writes it, made safe
for a terminal; the string encoder is called directly, and this holds the two together."""

from __future__ import annotations

import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from reconciler.render.escape import _JSON_RAW, json_text
from reconciler.render.values import shown


class _Text(str):
    """A str subclass, as the YAML loader makes for some scalars."""


@settings(max_examples=2_000)
@given(value=st.text())
@example(value='a "quoted" \\ back\tslash\n\u2028\x85\x7f')
def test_text_is_shown_as_json_dumps_writes_it(value: str) -> None:
    expected = json_text(json.dumps(value, ensure_ascii=False))
    assert shown(value) == expected
    assert shown(_Text(value)) == expected
    assert shown(value, json_all=True) == expected


def test_other_values_are_json_only_when_asked() -> None:
    assert shown(None) == "(none)"
    assert shown(3) == "3" and shown(True) == "True"
    assert shown(3, json_all=True) == "3" and shown(True, json_all=True) == "true"


@settings(max_examples=2_000)
@given(text=st.text(st.characters(max_codepoint=0x2100)) | st.text(alphabet="a\x7f\x80\x9f\u2028"))
def test_json_text_escapes_exactly_what_its_pattern_finds(text: str) -> None:
    # ASCII text without DEL is returned as it is without the pattern's search: the same.
    expected = _JSON_RAW.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
    assert json_text(text) == expected
