"""The plan as plain text, for a console without colour: byte for byte what ``render.text``
prints there, built as strings (a rich ``Text`` of 100,000 calls takes seconds and hundreds
of MiB to print)."""

from __future__ import annotations

from reconciler.core.diff import FieldChange
from reconciler.core.plan import Call, Plan
from reconciler.core.secrets import REDACTED
from reconciler.render.escape import terminal
from reconciler.render.text import (
    describe,
    request_body,
    request_line,
    summary_line,
    unmanaged_line,
)
from reconciler.render.values import shown


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
    return "".join(parts)


def _call(parts: list[str], call: Call, show_requests: bool) -> None:
    parts.append(f"  {call.reason.symbol} {describe(call)}  ({call.reason})")
    if call.source is not None:
        parts.append(f"  {terminal(str(call.source))}")
    for dependency in call.depends_on:
        parts.append(f"\n      after: {terminal(dependency)}")
    for change in call.changes:
        parts.append("\n" + _change_line(change))
    if show_requests:
        parts.append(f"\n      {request_line(call)}")
        if call.body is not None:
            body = request_body(call.body)
            parts.append("\n" + "\n".join("      " + line for line in body.splitlines()))


def _change_line(change: FieldChange) -> str:
    line = f"      {terminal(change.path)}: "
    if change.sensitive:
        return line + REDACTED
    if change.before is not None:
        line += shown(change.before) + " → "
    return line + shown(change.after)
