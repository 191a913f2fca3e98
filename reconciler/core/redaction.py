"""The one redaction point for text that is shown: a server's messages, exceptions, logs.

A ``Redactor`` knows the secret values in play (the API key, the desired state's passwords,
the environment's tokens, keys and passwords: ``desired.secrets_in_play``) and replaces each,
in every form it may travel in, by ``(sensitive)``: raw, percent-encoded (``quote``,
``quote_plus``), and Base64 (standard and URL-safe, with and without padding; the AT password
travels Base64-encoded), the percent-encoded forms of those, and each of these JSON-escaped as
common encoders write a string (see ``json_escaped``).
A secret that reads as an ordinary word (``word_like``: 4 to 12 ASCII letters, such as an API
key ``missing`` or the sandbox's ``sandbox``) is redacted only where it stands as a value: after
``=``, ``:``, a quote or ``/``, before a quote, ``&`` or ``/``, and never inside a longer word.
Such a key can't be told apart from the words of a server's sentence, so removing it everywhere
would mangle the very message that says what is wrong (``the API key is missing or invalid``);
where a server echoes what it was sent (``?api_key=…``, a JSON value) it is always redacted.
Every other form of it (Base64, ...) is redacted everywhere, as is every other secret.
``shown`` also cuts a server's text to a length fit for a terminal and makes control
characters visible, so that no answer can flood or drive the terminal.
"""

from __future__ import annotations

import base64
import functools
import itertools
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

from pydantic import SecretStr

from reconciler.core.secrets import REDACTED
from reconciler.desired.models import SECRET_FIELDS
from reconciler.desired.secrets_in_play import MIN_SECRET_LENGTH

MESSAGE_LIMIT = 500
"""The most characters of a server's text that are shown."""

# The characters a URL encoder may leave as they are: none, '/', or all a query allows.
_URL_SAFE = ("", "/", "/?:@!$'()*,;")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


_WORD = re.compile(r"[A-Za-z][a-z]{3,11}|[A-Z]{4,12}")


def word_like(secret: str) -> bool:
    """Whether ``secret`` reads as an ordinary word: 4 to 12 ASCII letters, in lower case,
    capitalised or in capitals (``missing``, ``Invalid``, ``DEMO``)."""
    return _WORD.fullmatch(secret) is not None


def forms(secret: str) -> set[str]:
    """Every form of ``secret`` that may show up in a server's answer or an error."""
    raw = secret.encode("utf-8")
    encoded = {
        secret,
        base64.b64encode(raw).decode("ascii"),
        base64.urlsafe_b64encode(raw).decode("ascii"),
    }
    encoded |= {value.rstrip("=") for value in encoded}
    found = set(encoded)
    for value in encoded:
        for safe in _URL_SAFE:
            found |= {quote(value, safe=safe), quote_plus(value, safe=safe)}
    found |= {
        json_escaped(value, upper=upper, ascii_only=ascii_only, slash=slash, html=html)
        for value in found
        for upper, ascii_only, slash, html in _JSON_STYLES
    }
    return {form for form in found if len(form) >= MIN_SECRET_LENGTH}


# The ways encoders differ when they write a string into JSON: hex digits in lower case
# (Python, PHP, Go, Ruby) or upper case (.NET, Jackson); non-ASCII escaped (Python, PHP) or
# not (Ruby, Go, Rails); '/' as '\/' (PHP); HTML-sensitive characters as '\uXXXX': '<>&' (Go,
# Rails), also '\'"+`' (.NET). Every combination of (upper, ascii_only, slash, html) is tried.
_JSON_STYLES = tuple(
    itertools.product((False, True), (True, False), (False, True), ("", "<>&", "<>&'\"+`"))
)
_JSON_SHORT = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}
_LINE_SEPARATORS = "\u2028\u2029"
_JSON_PLAIN = re.compile(r"[ !#-%(-*,-.0-;=?-\[\]-_a-z{-~]*")
"""Text that every style writes as it is: printable ASCII but '"&'+/<>\\`'."""


def json_escaped(
    value: str, *, upper: bool = False, ascii_only: bool = True, slash: bool = False, html: str = ""
) -> str:
    """``value`` as a JSON string's content (no quotes), written by one style of encoder.

    The defaults write what ``json.dumps`` writes; ``ascii_only=False`` what it writes with
    ``ensure_ascii=False``. ``html`` names the characters written as ``\\uXXXX`` (an encoder
    that escapes them escapes U+2028 and U+2029 too).
    """
    if _JSON_PLAIN.fullmatch(value):
        return value
    hex_format = "\\u{:04X}" if upper else "\\u{:04x}"
    out: list[str] = []
    for character in value:
        code = ord(character)
        if character in html or (html and character in _LINE_SEPARATORS):
            out.append(hex_format.format(code))
        elif character in _JSON_SHORT:
            out.append(_JSON_SHORT[character])
        elif character == "/" and slash:
            out.append("\\/")
        elif code < 0x20 or (ascii_only and 0x7F <= code <= 0xFFFF):
            out.append(hex_format.format(code))
        elif ascii_only and code > 0xFFFF:
            high, low = divmod(code - 0x10000, 0x400)
            out.append(hex_format.format(0xD800 + high) + hex_format.format(0xDC00 + low))
        else:
            out.append(character)
    return "".join(out)


@functools.lru_cache(maxsize=65536)
def _forms_of(secret: str) -> frozenset[str]:
    """``forms(secret)``, worked out once per secret in a process."""
    return frozenset(forms(secret))


@functools.lru_cache(maxsize=16)
def _pattern_of(secrets: frozenset[str]) -> tuple[re.Pattern[str] | None, int]:
    """The pattern matching every form of ``secrets`` and the longest form's length, compiled
    once for every redactor of the same secrets (a fleet's accounts share the environment's)."""
    words = {secret for secret in secrets if word_like(secret)}
    every = {form for secret in secrets for form in _forms_of(secret)} - words
    # Longest first, so that a form containing another is replaced whole.
    ordered = sorted(every, key=lambda form: (-len(form), form))
    alternatives = [re.escape(form) for form in ordered]
    if words:
        alternatives.append(_as_value(sorted(words, key=lambda word: (-len(word), word))))
    pattern = re.compile("|".join(alternatives)) if alternatives else None
    # A word's context reaches one character past it.
    return pattern, max((len(form) for form in every | words), default=0) + 1


class Redactor:
    """Replaces every registered secret, in each of its forms, by ``(sensitive)``.

    Immutable: ``with_secrets`` returns a new one. Its pattern is compiled when it first
    redacts, so a redactor that never has text to redact costs no compile. It needs no lock:
    threads that redact first at once may each build the pattern, and any of the equal
    results is kept (a tuple, set whole). Its repr shows how many secrets it holds, never
    their values.
    """

    __slots__ = ("_compiled", "_secrets")

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = frozenset(s for s in secrets if len(s) >= MIN_SECRET_LENGTH)
        self._compiled: tuple[re.Pattern[str] | None, int] | None = None

    @property
    def _pattern(self) -> re.Pattern[str] | None:
        return self._built()[0]

    @property
    def _longest(self) -> int:
        return self._built()[1]

    def _built(self) -> tuple[re.Pattern[str] | None, int]:
        built = self._compiled
        if built is None:
            built = _pattern_of(self._secrets) if self._secrets else (None, 0)
            self._compiled = built
        return built

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secrets)"

    def with_secrets(self, *secrets: str | SecretStr | None) -> Redactor:
        """This redactor with more secrets (``None`` and empty values are ignored)."""
        values = (s.get_secret_value() if isinstance(s, SecretStr) else s for s in secrets)
        more = {v for v in values if v is not None and len(v) >= MIN_SECRET_LENGTH} - self._secrets
        return Redactor(self._secrets | more) if more else self

    def __call__(self, text: str) -> str:
        """``text`` with every form of every secret replaced by ``(sensitive)``."""
        if self._pattern is None:
            return text
        return self._pattern.sub(REDACTED, text)

    def shown(self, text: str, limit: int = MESSAGE_LIMIT) -> str:
        """A server's text as it may be shown: redacted, control characters made visible,
        and cut after ``limit`` characters with a note saying how long it was.

        Only the part that is shown is searched, which bounds the work on a huge answer; the
        search runs a form's length past it, so that no secret is cut in two and half of it
        shown.
        """
        shown: list[str] = []
        size = position = 0
        while size < limit and position < len(text):
            budget = limit - size
            found = self._search(text, position, position + budget + self._longest)
            if found is None or found.start() >= position + budget:
                shown.append(text[position : position + budget])
                position += budget
                break
            shown += [text[position : found.start()], REDACTED]
            size += found.start() - position + len(REDACTED)
            position = found.end()
        head = _CONTROL.sub("?", "".join(shown))
        if position >= len(text):
            return head
        return f"{head} … (cut: {len(text):,} characters in all)"

    def _search(self, text: str, start: int, end: int) -> re.Match[str] | None:
        return None if self._pattern is None else self._pattern.search(text, start, end)


# A word-like secret counts where it stands as a value: right after '=', ':', a quote or '/'
# (or '= '), or right before a quote, '&' or '/'; never inside a longer word.
_VALUE_BEFORE = r"(?:(?<=[=:\"'`/])|(?<== ))"
_VALUE_AFTER = r"(?=[\"'`&/])"
_NOT_WORD_BEFORE = r"(?<![A-Za-z0-9_])"
_NOT_WORD_AFTER = r"(?![A-Za-z0-9_])"


def _as_value(words: list[str]) -> str:
    """A pattern of ``words`` where each stands as a value, not as a word of a sentence."""
    any_of = "(?:" + "|".join(map(re.escape, words)) + ")"
    return f"{_VALUE_BEFORE}{any_of}{_NOT_WORD_AFTER}|{_NOT_WORD_BEFORE}{any_of}{_VALUE_AFTER}"


def secret_values(model: Any, paths: Iterable[str] = SECRET_FIELDS) -> list[str]:
    """The values of the ``SecretStr`` fields at dotted ``paths`` of a model (by default the
    account's secret fields), where set."""
    found = []
    for path in paths:
        value = model
        for name in path.split("."):
            value = getattr(value, name, None)
        if isinstance(value, SecretStr) and value.get_secret_value():
            found.append(value.get_secret_value())
    return found
