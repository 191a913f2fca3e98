"""How ``Redactor.shown`` cuts a redacted text: exactly at the limit, every redaction kept, and
a note only where something was left out (cases found by mutation testing, tests/MUTATION.md)."""

from __future__ import annotations

import json

from reconciler.core.redaction import Redactor, json_escaped
from reconciler.core.secrets import REDACTED
from reconciler.desired.secrets_in_play import MIN_SECRET_LENGTH

SECRET = "9f3$kz!Q2x7#pLm0"
REDACT = Redactor([SECRET])


def _cut(text: str) -> str:
    return f" … (cut: {len(text):,} characters in all)"


def test_a_secret_at_the_very_end_is_redacted_with_no_cut_note() -> None:
    assert REDACT.shown("ab" + SECRET) == "ab" + REDACTED


def test_text_after_a_secret_that_fits_is_shown_whole() -> None:
    text = "ab" + SECRET + "xyz"
    assert REDACT.shown(text, limit=20) == "ab" + REDACTED + "xyz"


def test_every_redaction_counts_toward_the_limit_and_each_is_kept() -> None:
    text = "aaaa" + SECRET + "bbbb" + SECRET + "c" * 50
    head = "aaaa" + REDACTED + "bbbb" + REDACTED
    assert len(head) == 30
    assert REDACT.shown(text, limit=40) == head + "c" * 10 + _cut(text)
    assert REDACT.shown(text, limit=30) == head + _cut(text)


def test_a_secret_starting_exactly_at_the_limit_is_left_out_not_shown() -> None:
    text = "a" * 10 + SECRET + "tail"
    assert REDACT.shown(text, limit=10) == "a" * 10 + _cut(text)


def test_a_secret_of_the_shortest_length_kept_is_redacted() -> None:
    shortest = "7#q!"
    assert len(shortest) == MIN_SECRET_LENGTH
    for redactor in (Redactor([shortest]), Redactor().with_secrets(shortest)):
        assert redactor(f"key={shortest};") == f"key={REDACTED};"


def test_the_last_code_point_of_the_basic_plane_is_escaped_as_json_escapes_it() -> None:
    for character in ("\u007f", "\ufffe", "\uffff", "\U00010000"):
        assert json_escaped(character) == json.dumps(character)[1:-1]


def test_a_redactor_without_secrets_only_cuts_and_makes_controls_visible() -> None:
    text = "line\x1b[2J" + "x" * 20
    assert Redactor().shown(text, limit=10) == "line?[2Jxx" + _cut(text)
    assert Redactor().shown("plain") == "plain"


def test_a_secret_with_a_quote_and_a_backslash_is_redacted_as_it_stands() -> None:
    secret = 'pa"ss\\word1'
    assert Redactor([secret])(f"password {secret} refused") == f"password {REDACTED} refused"


def test_json_escaped_by_default_writes_what_json_dumps_writes() -> None:
    for value in ("XAX\u2028<&>", "X\u00e9\U0001f600/"):
        assert json_escaped(value) == json.dumps(value)[1:-1]
