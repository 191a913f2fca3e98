"""How a value is shown in every rendering: text as JSON (quotes and escapes make blanks and
control characters visible, C1 controls and line separators included), ``(none)`` for nothing,
anything else as Python prints it."""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

from reconciler.core.plan import Reason
from reconciler.render.escape import json_text, terminal

NONE = "(none)"
STYLES = {"+": "green", "~": "yellow"}
"""The colour of each reason's symbol in coloured output."""


def shown(value: Any, *, json_all: bool = False) -> str:
    """``value`` as one line of plan output; ``json_all`` JSON-encodes numbers and booleans too
    (Markdown shows every value as JSON)."""
    if value is None:
        return NONE
    if isinstance(value, str):
        # What json.dumps(value, ensure_ascii=False) returns for text, without an encoder made
        # for each value (a test holds the two together).
        return json_text(encode_basestring(value))
    if json_all:
        return json_text(json.dumps(value, ensure_ascii=False))
    return terminal(str(value))


def mark(reason: Reason) -> tuple[str, str]:
    """A call's symbol and its colour."""
    return reason.symbol, STYLES[reason.symbol]
