"""A database's connection string, read only as far as showing it safely needs.

libpq takes a URL (``postgresql://`` or ``postgres://``) or ``key=value`` pairs, and a password
can hide in either: in a URL's user info (unencoded ``/ ? # @ :`` included, or
percent-encoded) or its query (``?password=``); in pairs plainly, quoted with escaped quotes,
with spaces around ``=``, in any letter case. ``read`` finds each, generously: in a URL from
the user info's first ``:`` to the last ``@`` of the URL, and from a query's ``password=`` to
the end of the URL, so a password libpq would cut short (at an unencoded ``@``) is hidden
whole. Pairs that can't be read show nothing of themselves. Nothing here needs psycopg.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, unquote_to_bytes

REDACTED = "***"
UNREADABLE = "<a connection string that could not be read>"

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_PASSWORD_PARAMETER = re.compile(r"(?i)password\s*=")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SPACE = " \t\n\r\f\v"  # libpq's isspace() in the C locale
_PIECES = re.compile(r"[@/&=?#:]")
_QUOTED = re.compile(r"\"([^\"]+)\"|'([^']+)'")
_SHORTEST_PIECE = 3


@dataclass(frozen=True)
class Reading:
    """A connection string as it may be shown, and each password in it as written."""

    shown: str
    passwords: tuple[str, ...]


def read(conninfo: str) -> Reading:
    """``conninfo`` with every password replaced by ``***`` (a URL when it starts with a
    scheme and ``://``, else ``key=value`` pairs; pairs that can't be read show nothing)."""
    scheme = _SCHEME.match(conninfo)
    if scheme is not None:
        return _read_url(conninfo[: scheme.end()], conninfo[scheme.end() :])
    return _read_pairs(conninfo) or Reading(UNREADABLE, (conninfo,))


def scheme_of(conninfo: str) -> str | None:
    """The URL scheme of ``conninfo`` as written (libpq takes only lower case); None for
    ``key=value`` pairs."""
    found = _SCHEME.match(conninfo)
    return None if found is None else found.group()[:-3]


def ambiguity(url: str) -> str | None:
    """Why libpq would read a part of ``url`` other than as written (and might echo a piece
    of its password back), or None when it reads it as ``read`` does."""
    scheme = _SCHEME.match(url)
    rest = url if scheme is None else url[scheme.end() :]
    at = rest.rfind("@")
    if at >= 0 and re.search("[@/]", rest[:at]):
        return (
            "a '/' or '@' before the '@' that ends its user name and password; percent-encode "
            "them (%2F, %40) in the user name, password and parameters"
        )
    if _BAD_PERCENT.search(url):
        return "a '%' not followed by two hexadecimal digits; write a '%' itself as %25"
    if scheme is not None and not _utf8(unquote_to_bytes(url)):
        return "a percent-escape that is not UTF-8 text; write a '%' itself as %25"
    return None


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def passwords(conninfo: str) -> set[str]:
    """Each password of ``conninfo`` as written, percent-decoded and unescaped."""
    found = {
        form
        for password in read(conninfo).passwords
        for form in (password, unquote(password), _unescaped(password))
    }
    return {form for form in found if form and form != REDACTED}


def spellings(conninfo: str) -> set[str]:
    """Every form in which a password of ``conninfo`` may come back in a driver's message:
    ``passwords``, and their pieces between URL delimiters (what libpq reads of one whose
    delimiters were left unencoded)."""
    found = passwords(conninfo)
    for form in list(found):
        found.update(p for p in _PIECES.split(form) if len(p) >= _SHORTEST_PIECE)
    return found


def scrubbed(text: str, conninfo: str) -> str:
    """``text`` (a driver's message) with every spelling of ``conninfo``'s passwords replaced,
    and every quoted token that is part of one (libpq quotes what it could not read)."""
    forms = spellings(conninfo)
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, REDACTED)

    def token(found: re.Match[str]) -> str:
        inner = found.group(1) or found.group(2)
        if inner != REDACTED and any(inner in form for form in forms):
            quote = found.group()[0]
            return f"{quote}{REDACTED}{quote}"
        return found.group()

    return _QUOTED.sub(token, text)


def _read_url(scheme: str, rest: str) -> Reading:
    """The URL's user-info password and query password, found in the text as written; where
    the two overlap (an ``@`` inside a query password), they are hidden as one."""
    spans: list[tuple[int, int]] = []
    at = rest.rfind("@")
    colon = rest.find(":", 0, max(at, 0))
    if at >= 0 and colon >= 0:
        spans.append((colon + 1, at))
    parameter = _PASSWORD_PARAMETER.search(rest)
    if parameter is not None:
        spans.append((parameter.end(), len(rest)))
    shown: list[str] = []
    passwords: list[str] = []
    done = 0
    for start, end in sorted(spans):
        if start < done:  # overlaps the span before: extend it
            passwords[-1] = rest[done - len(passwords[-1]) : max(end, done)]
            done = max(end, done)
            continue
        shown += [rest[done:start], REDACTED]
        passwords.append(rest[start:end])
        done = end
    shown.append(rest[done:])
    return Reading(scheme + "".join(shown), tuple(passwords))


def _read_pairs(text: str) -> Reading | None:
    """``key=value`` pairs as libpq reads them (a value unquoted up to a space, or in single
    quotes; a backslash escapes the next character), or None when they can't be read."""
    shown: list[str] = []
    passwords: list[str] = []
    at, end = 0, len(text)
    while True:
        at = _skip_spaces(text, at)
        if at >= end:
            break
        start = at
        while at < end and text[at] not in _SPACE and text[at] != "=":
            at += 1
        key = text[start:at]
        at = _skip_spaces(text, at)
        if not key or at >= end or text[at] != "=":
            return None
        at = _skip_spaces(text, at + 1)
        value_end = _value_end(text, at)
        if value_end is None:
            return None
        value, at = text[at:value_end], value_end
        if "password" in key.lower():
            passwords.append(value)
            value = REDACTED
        shown.append(f"{key}={value}")
    return Reading(" ".join(shown), tuple(passwords))


def _skip_spaces(text: str, at: int) -> int:
    while at < len(text) and text[at] in _SPACE:
        at += 1
    return at


def _value_end(text: str, at: int) -> int | None:
    """Where the value starting at ``at`` ends; None for an unterminated quote."""
    end = len(text)
    if at < end and text[at] == "'":
        at += 1
        while at < end:
            if text[at] == "\\":
                at += 2
            elif text[at] == "'":
                return at + 1
            else:
                at += 1
        return None
    while at < end and text[at] not in _SPACE:
        at += 2 if text[at] == "\\" else 1
    return min(at, end)


def _unescaped(value: str) -> str:
    """A ``key=value`` value as libpq hands it on: quotes dropped, escapes resolved."""
    if value.startswith("'") and value.endswith("'") and len(value) >= 2:
        value = value[1:-1]
    return re.sub(r"\\(.)", r"\1", value, flags=re.DOTALL)
