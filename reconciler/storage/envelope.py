"""The envelope of every JSON document the package writes to be read back: a format version
and a sha256 checksum of the canonical content (known state, journal lines, saved plans).

The canonical content is ``json.dumps`` with sorted keys, compact separators and UTF-8 as is.
orjson writes the same bytes for every document without floats far from 1 (it writes
``1e-7`` where ``json`` writes ``1e-07``), NaN or integers past 64 bits; a checksum is checked
with orjson first and, when that does not match, with ``json``, so every file written before
still verifies. Checksums are written with ``json`` alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import orjson

CHECKSUM = "checksum"


def checksum(document: Mapping[str, Any]) -> str:
    """The sha256 of a document's canonical JSON, as stored beside it."""
    return "sha256:" + hashlib.sha256(_canonical(document)).hexdigest()


def _canonical(document: Mapping[str, Any]) -> bytes:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return canonical.encode("utf-8")


def sealed(document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` with its checksum added."""
    return {**document, CHECKSUM: checksum(document)}


def sealed_text(document: Mapping[str, Any]) -> str:
    """``document`` with its checksum, as ``json.dumps(indent=2, ensure_ascii=False)`` writes it.

    orjson writes it (about 25 times faster) whenever it writes every value as ``json`` does,
    which its canonical form then shows byte for byte; else ``json`` does.
    """
    canonical = _canonical(document)
    with_sum = {**document, CHECKSUM: "sha256:" + hashlib.sha256(canonical).hexdigest()}
    if _orjson_canonical(document) == canonical:
        return orjson.dumps(with_sum, option=orjson.OPT_INDENT_2).decode("utf-8")
    return json.dumps(with_sum, indent=2, ensure_ascii=False)


def unsealed(document: dict[str, Any], *, parsed_by_orjson: bool = False) -> dict[str, Any] | None:
    """``document`` without its checksum, or None when the checksum does not match.

    ``parsed_by_orjson``: the document was read by ``orjson.loads``, so holds no NaN (which
    orjson would write as ``null``); its checksum is then tried with orjson first."""
    content = {k: v for k, v in document.items() if k != CHECKSUM}
    stored = document.get(CHECKSUM)
    if parsed_by_orjson and stored == _orjson_checksum(content):
        return content
    return content if stored == checksum(content) else None


def _orjson_checksum(document: Mapping[str, Any]) -> str | None:
    canonical = _orjson_canonical(document)
    return None if canonical is None else "sha256:" + hashlib.sha256(canonical).hexdigest()


def _orjson_canonical(document: Mapping[str, Any]) -> bytes | None:
    try:
        return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson.JSONEncodeError: an integer past 64 bits, a key not a string
        return None


def format_version(document: Mapping[str, Any]) -> int | None:
    """The document's whole-number ``format_version``, or None when it has none."""
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        return None
    return version
