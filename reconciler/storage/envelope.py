"""The envelope of every JSON document the package writes to be read back: a format version
and a sha256 checksum of the canonical content (known state, journal lines, saved plans)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

CHECKSUM = "checksum"


def checksum(document: Mapping[str, Any]) -> str:
    """The sha256 of a document's canonical JSON, as stored beside it."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sealed(document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` with its checksum added."""
    return {**document, CHECKSUM: checksum(document)}


def unsealed(document: dict[str, Any]) -> dict[str, Any] | None:
    """``document`` without its checksum, or None when the checksum does not match."""
    content = {k: v for k, v in document.items() if k != CHECKSUM}
    return content if document.get(CHECKSUM) == checksum(content) else None


def format_version(document: Mapping[str, Any]) -> int | None:
    """The document's whole-number ``format_version``, or None when it has none."""
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        return None
    return version
