"""The plan as plain text, for a console without colour: byte for byte what ``render.text``
prints there, built as strings (a rich ``Text`` of 100,000 calls takes seconds and hundreds
of MiB to print) and written as they are built, a batch at a time."""

from __future__ import annotations

from collections.abc import Callable

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

BATCH_CHARS = 16 * 1024
"""How many characters of a plan are written at once, at least (but for its end)."""
MEASURED = 16
"""How many calls are rendered between two looks at the batch's size."""


def plain_plan(plan: Plan, *, show_requests: bool = False) -> str:
    """The whole dry run, as ``render_plan`` shows it without colour, ending in a newline."""
    parts: list[str] = []
    write_plain_plan(parts.append, plan, show_requests=show_requests)
    return "".join(parts)


def write_plain_plan(
    write: Callable[[str], object], plan: Plan, *, show_requests: bool = False
) -> None:
    """Hand ``plain_plan``'s text to ``write`` as it is rendered, in batches of at least
    ``BATCH_CHARS`` characters and at most ``MEASURED`` calls more (a call's lines are never
    split): the whole text of a big plan is never held at once."""
    parts: list[str] = []
    size = counted = 0
    for number, call in enumerate(plan.calls, 1):
        _call(parts, call, show_requests)
        parts.append("\n")
        if number % MEASURED:
            continue
        size += sum(map(len, parts[counted:]))
        counted = len(parts)
        if size >= BATCH_CHARS:
            write("".join(parts))
            parts.clear()
            size = counted = 0
    for resource in plan.unmanaged:
        parts.append("  - " + unmanaged_line(resource) + "\n")
    if plan.calls or plan.unmanaged:
        parts.append("\n")
    parts.append(summary_line(plan))
    parts.append("\n")
    write("".join(parts))


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
