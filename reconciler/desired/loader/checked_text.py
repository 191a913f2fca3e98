"""Bytes → checked text: within the size limit, valid UTF-8, no characters YAML forbids.

Line breaks come out as ``\\n`` only: YAML reads a CR, alone or before a LF, as a line break,
and the fast parser reads a CR inside a quoted scalar as a character; normalizing here gives
both parsers one text (lines and columns are unchanged).
"""

from __future__ import annotations

import codecs
import re

from reconciler.desired.loader.limits import MAX_FILE_BYTES
from reconciler.errors import Problem

# Every character but tab, line breaks, printable ASCII, U+0085, U+00A0 to U+D7FF, U+E000
# to U+FFFD and U+10000 up: written as the few ranges refused, which compile at once (the
# ranges kept, negated, take milliseconds to compile).
_NON_PRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"
)
# The UTF-8 encodings of the characters _NON_PRINTABLE refuses (surrogates cannot be in valid
# UTF-8): control bytes but tab and line breaks, C1 controls but U+0085, U+FFFE and U+FFFF.
_NON_PRINTABLE_UTF8 = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x84\x86-\x9f]|\xef\xbf[\xbe\xbf]"
)
# The bytes no such encoding holds: printable ASCII, and continuation bytes 0xA0 to 0xBD.
_NEVER_IN_ONE = bytes([0x09, 0x0A, 0x0D, *range(0x20, 0x7F), *range(0xA0, 0xBE)])
_MIB = MAX_FILE_BYTES // (1024 * 1024)
TOO_LARGE = f"file is larger than {_MIB} MiB"


class Fatal(Exception):
    """A problem that stops parsing."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def decode(text: str | bytes, file: str) -> str:
    """Checked text, without a byte-order mark; raise ``Fatal`` with the first problem."""
    if len(text) > MAX_FILE_BYTES:
        raise Fatal(Problem(file, 1, 1, "", TOO_LARGE))
    screened = isinstance(text, bytes) and not _may_hold_non_printable(text)
    if isinstance(text, bytes):  # one byte-order mark, as bytes or as text: not both
        text = _utf8(text.removeprefix(codecs.BOM_UTF8), file)
    else:
        text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad_char = None if screened else _NON_PRINTABLE.search(text)
    if bad_char is not None:
        at = bad_char.start()
        line = text.count("\n", 0, at) + 1
        column = at - text.rfind("\n", 0, at)
        message = f"character U+{ord(bad_char.group()):04X} is not allowed in YAML (binary file?)"
        raise Fatal(Problem(file, line, column, "", message))
    return text


def _may_hold_non_printable(data: bytes) -> bool:
    """Whether UTF-8 ``data`` may hold a character YAML forbids, screened at C speed.

    Deleting every byte but control bytes, lead bytes and the continuation bytes that can end a
    forbidden character leaves each kept continuation byte right after its own lead byte or
    another kept byte of its character; so the few bytes left hold a forbidden encoding (a
    control byte, a C1 control, U+FFFE, U+FFFF) exactly when ``data`` does.
    """
    return _NON_PRINTABLE_UTF8.search(data.translate(None, _NEVER_IN_ONE)) is not None


def _utf8(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        message = f"not valid UTF-8 text (byte 0x{data[exc.start]:02x})"
        raise Fatal(Problem(file, line, column, "", message)) from None
