"""The plan as plain text, for a console without colour: byte for byte what ``render.text``
prints there, built as strings (a rich ``Text`` of 100,000 calls takes seconds and hundreds
of MiB to print) and written as they are built, a batch at a time."""

from __future__ import annotations

from collections.abc import Callable

from reconciler.core.diff import FieldChange
from reconciler.core.plan import Call, Plan, Source
from reconciler.core.secrets import REDACTED
from reconciler.render.escape import terminal
from reconciler.render.text import (
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
    pieces = _Pieces()
    size = counted = 0
    for number, call in enumerate(plan.calls, 1):
        _call(parts, call, show_requests, pieces)
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


class _Pieces:
    """The parts of a plan's lines that its calls share, each escaped once: a call's first
    words and reason (by its action and reason), its file, a change's field path."""

    __slots__ = ("_files", "_heads", "_paths")

    def __init__(self) -> None:
        # By the action's and reason's ids (an enum hashes in Python): a plan's calls share a
        # few, each alive while it renders.
        self._heads: dict[tuple[int, int], tuple[str, str]] = {}
        self._files: dict[str, str] = {}
        self._paths: dict[str, str] = {}

    def head(self, call: Call) -> tuple[str, str]:
        """``  ~ update client `` and ``  (changed since last apply)``."""
        action, reason = call.action, call.reason
        found = self._heads.get((id(action), id(reason)))
        if found is None:
            found = (f"  {reason.symbol} {action} ", f"  ({reason})")
            self._heads[(id(action), id(reason))] = found
        return found

    def source(self, source: Source) -> str:
        """``  file:line`` as ``terminal`` shows it (a line number is digits: only the file
        can need escaping, and it starts the text)."""
        line = source.line
        if type(line) is not int:
            return f"  {terminal(str(source))}"
        file = self._files.get(source.file)
        if file is None:
            file = self._files[source.file] = "  " + terminal(f"{source.file}:")
        return f"{file}{line}"

    def path(self, path: str) -> str:
        """A change line's start: ``      path: ``."""
        found = self._paths.get(path)
        if found is None:
            found = self._paths[path] = f"      {terminal(path)}: "
        return found


def _call(parts: list[str], call: Call, show_requests: bool, pieces: _Pieces) -> None:
    head, reason = pieces.head(call)
    target = call.target_id
    # A call with an id is shown by it (``Call.subject``): digits, nothing to escape.
    subject = str(target) if type(target) is int and target else terminal(call.subject)
    if call.source is not None:
        parts.append(f"{head}{subject}{reason}{pieces.source(call.source)}")
    else:
        parts.append(f"{head}{subject}{reason}")
    for dependency in call.depends_on:
        parts.append(f"\n      after: {terminal(dependency)}")
    for change in call.changes:
        parts.append(_change_line(change, pieces))
    if show_requests:
        parts.append(f"\n      {request_line(call)}")
        if call.body is not None:
            body = request_body(call.body)
            parts.append("\n" + "\n".join("      " + line for line in body.splitlines()))


def _change_line(change: FieldChange, pieces: _Pieces) -> str:
    line = pieces.path(change.path)
    if change.sensitive:
        return f"\n{line}{REDACTED}"
    if change.before is not None:
        return f"\n{line}{shown(change.before)} → {shown(change.after)}"
    return f"\n{line}{shown(change.after)}"
