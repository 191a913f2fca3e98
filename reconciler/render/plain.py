"""The plan as plain text, for a console without colour: byte for byte what ``render.text``
prints there, built as strings (a rich ``Text`` of 100,000 calls takes seconds and hundreds
of MiB to print)."""

from __future__ import annotations

import json

from reconciler.core.diff import FieldChange
from reconciler.core.plan import Call, Plan
from reconciler.core.secrets import REDACTED, redacted
from reconciler.render.text import describe, summary_line, unmanaged_line
from reconciler.render.values import shown

# The control codes a console drops from text it prints (bell, backspace, vertical tab, form
# feed, carriage return), as rich does.
_DROPPED = dict.fromkeys((7, 8, 11, 12, 13))


def plain_plan(plan: Plan, *, show_requests: bool = False) -> str:
    """The whole dry run, as ``render_plan`` shows it without colour, ending in a newline."""
    parts: list[str] = []
    for call in plan.calls:
        _call(parts, call, show_requests)
        parts.append("\n")
    for resource in plan.unmanaged:
        parts.append("  - " + unmanaged_line(resource) + "\n")
    if plan.calls or plan.unmanaged:
        parts.append("\n")
    parts.append(summary_line(plan))
    parts.append("\n")
    text = "".join(parts)
    if any(chr(code) in text for code in _DROPPED):
        text = text.translate(_DROPPED)
    return text


def _call(parts: list[str], call: Call, show_requests: bool) -> None:
    parts.append(f"  {call.reason.symbol} {describe(call)}  ({call.reason})")
    if call.source is not None:
        parts.append(f"  {call.source}")
    for dependency in call.depends_on:
        parts.append(f"\n      after: {dependency}")
    for change in call.changes:
        parts.append("\n" + _change_line(change))
    if show_requests:
        parts.append(f"\n      {call.method} {call.path}?api_key={REDACTED}")
        if call.body is not None:
            body = json.dumps(redacted(call.body), ensure_ascii=False, indent=2)
            parts.append("\n" + "\n".join("      " + line for line in body.splitlines()))


def _change_line(change: FieldChange) -> str:
    line = f"      {change.path}: "
    if change.sensitive:
        return line + REDACTED
    if change.before is not None:
        line += shown(change.before) + " → "
    return line + shown(change.after)
