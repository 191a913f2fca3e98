"""The byte screen for characters YAML forbids agrees with the character-by-character check.

A file read from disk is screened as bytes (a translate and a short search, at C speed); text
given as ``str`` is checked character by character. Both must refuse the same files, at the
same place.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.desired.loader.checked_text import Fatal, decode

from .conftest import FUZZ_PROFILE

# Around every edge of the forbidden ranges, and characters whose UTF-8 encodings share bytes
# with forbidden ones (0xC2 leads, 0x80-0x9F and 0xBE-0xBF continuations, 0xEF 0xBF ...).
_EDGES = [
    *"\x00\x08\t\n\x0b\x0c\r\x0e\x1f \x7e\x7f\x80\x84\x85\x86\x9f\xa0\xba\xbf\xc0é",
    *"\u0100\u07ff\u0800\u2028\ud7ff\ue000\uefbf\uf83f\ufeff\ufffd\ufffe\uffff",
    *"\U00010000\U0001fffe\U0001ffff\U0010ffff€Çº",
]
texts = st.lists(
    st.one_of(st.sampled_from(_EDGES), st.characters(exclude_categories=["Cs"])), max_size=12
).map("".join)


def _outcome(text: str | bytes) -> str:
    try:
        decode(text, "f.yaml")
    except Fatal as fatal:
        problem = fatal.problem
        return f"{problem.line}:{problem.column} {problem.message}"
    return "ok"


@settings(settings.get_profile(FUZZ_PROFILE))
@given(texts)
def test_bytes_and_text_are_refused_alike(text: str) -> None:
    assert _outcome(text.encode("utf-8")) == _outcome(text)


def test_every_forbidden_character_is_caught_in_bytes() -> None:
    for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), 0xFFFE, 0xFFFF]:
        text = f"a: café{chr(code)}º\n"
        expected = "ok" if chr(code) in "\t\n\r\x85" else "refused"
        got = _outcome(text.encode("utf-8"))
        assert (got == "ok") == (expected == "ok"), (hex(code), got)
        assert got == _outcome(text)
