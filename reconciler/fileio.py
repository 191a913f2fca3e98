"""Reading a file the user named, safely: regular files only, bounded, errors as one message.

A FIFO, a device or a directory named where a file is expected is refused before it is read
(opening a FIFO for reading blocks until a writer comes, which may be never). JSON read back
(known state, journal, saved plans, lock records) is parsed by ``parse_json``, which turns
every way such text can fail (bad UTF-8, bad JSON, nesting too deep for the parser, a number
too long to convert) into one ``ValueError``.

This module imports nothing else of the package; callers turn ``UnreadableFile`` into their
own error type, naming the path.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


class UnreadableFile(Exception):
    """A file that can't be read: why, in words (the path is the caller's to add)."""


class TooLarge(UnreadableFile):
    """A file larger than the reader's bound."""


def read_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them.

    Raises ``FileNotFoundError`` when nothing is there, ``UnreadableFile`` when it is not a
    regular file, is larger than ``max_bytes``, or can't be read.
    """
    try:
        _check_regular(os.stat(path).st_mode)
        # O_NONBLOCK: were a FIFO swapped in after the check, opening it must not wait.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from None
    try:
        status = os.fstat(fd)
        _check_regular(status.st_mode)
        if status.st_size > max_bytes:
            raise TooLarge(f"is larger than {_size(max_bytes)}")
        chunks, total = [], 0
        while chunk := os.read(fd, min(1 << 20, max_bytes + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise TooLarge(f"is larger than {_size(max_bytes)}")
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def check_regular(path: Path) -> None:
    """Raise ``UnreadableFile`` if something other than a regular file is at ``path``."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from None
    _check_regular(mode)


def _check_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise UnreadableFile(f"is {kind}, not a regular file")


def _size(count: int) -> str:
    mib = count / (1024 * 1024)
    return f"{mib:g} MiB" if mib >= 1 else f"{count} bytes"


def parse_json(data: bytes) -> Any:
    """JSON from UTF-8 bytes; every failure (encoding, syntax, depth, a huge number) as
    ``ValueError``."""
    try:
        text = data.decode("utf-8")
        document = json.loads(text)
        if _SURROGATE_ESCAPE.search(text):  # a pair is one character; a lone one is none
            json.dumps(document, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except UnicodeEncodeError:
        raise ValueError("an escaped surrogate (\\ud800 to \\udfff) is not a character") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, the int conversion limit
        raise ValueError(str(exc).split("; use sys.set_int_max_str_digits")[0]) from None
    return document
