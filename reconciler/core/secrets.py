"""Secret values: shown only redacted, stored only as a keyed digest.

The digest key is never written to the known-state file; the file records only a short
fingerprint of it (``key_id``), so a later run can tell "the secret changed" apart from
"the digest key changed" instead of guessing.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr

REDACTED = "(sensitive)"
DIGEST_PREFIX = "hmac-sha256:"


class DigestKey:
    """The key that turns secret values into digests. Its repr never shows the key."""

    __slots__ = ("_key",)

    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("a digest key must not be empty")
        self._key = key.encode("utf-8")

    def __repr__(self) -> str:
        return f"DigestKey(key_id={self.key_id!r})"

    @property
    def key_id(self) -> str:
        """A fingerprint of the key that reveals nothing about it."""
        return hmac.new(self._key, b"reconciler/digest-key-id", hashlib.sha256).hexdigest()[:16]

    def digest(self, value: SecretStr) -> str:
        """The stored form of a secret value."""
        raw = value.get_secret_value().encode("utf-8")
        return DIGEST_PREFIX + hmac.new(self._key, raw, hashlib.sha256).hexdigest()


def is_digest(value: object) -> bool:
    """Whether a stored value is a secret's digest."""
    return isinstance(value, str) and value.startswith(DIGEST_PREFIX)


def redacted(value: Any) -> Any:
    """A copy of plain data with every secret (and every digest) shown as ``(sensitive)``."""
    if isinstance(value, SecretStr) or is_digest(value):
        return REDACTED
    if isinstance(value, Mapping):
        return {k: redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redacted(v) for v in value]
    return value
