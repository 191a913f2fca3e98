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

_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
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
    if isinstance(text, bytes):
        text = _utf8(text.removeprefix(codecs.BOM_UTF8), file)
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad_char = _NON_PRINTABLE.search(text)
    if bad_char is not None:
        at = bad_char.start()
        line = text.count("\n", 0, at) + 1
        column = at - text.rfind("\n", 0, at)
        message = f"character U+{ord(bad_char.group()):04X} is not allowed in YAML (binary file?)"
        raise Fatal(Problem(file, line, column, "", message))
    return text


def _utf8(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        message = f"not valid UTF-8 text (byte 0x{data[exc.start]:02x})"
        raise Fatal(Problem(file, line, column, "", message)) from None
