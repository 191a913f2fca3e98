"""The forms in which a secret could leak into output, logs or files."""

from __future__ import annotations

import base64
from urllib.parse import quote


def forms(secret: str) -> set[str]:
    """The secret as it could show up: raw, percent-encoded, Base64 at each alignment."""
    found = {secret, quote(secret, safe="")}
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + secret.encode()).decode()
        # Drop the characters that mix in the neighbours (the prefix) or the padding.
        found.add(encoded[(shift * 4 + 2) // 3 + 1 : -3])
    return found
