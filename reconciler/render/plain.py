"""The plan as plain text, for a console without colour: byte for byte what ``render.text``
prints there, built as strings (a rich ``Text`` of 100,000 calls takes seconds and hundreds
of MiB to print) and written as they are built, a batch at a time."""

from __future__ import annotations

from collections.abc import Callable
from json.encoder import encode_basestring

from reconciler.core.plan import Call, Plan
from reconciler.core.secrets import REDACTED
from reconciler.render.escape import json_text, terminal
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

    __slots__ = ("files", "heads", "paths")

    def __init__(self) -> None:
        # By the action's and reason's ids (an enum hashes in Python): a plan's calls share a
        # few, each alive while it renders.
        self.heads: dict[tuple[int, int], tuple[str, str]] = {}
        self.files: dict[str, str] = {}
        self.paths: dict[str, str] = {}

    def head(self, call: Call) -> tuple[str, str]:
        """``  ~ update client `` and ``  (changed since last apply)``."""
        action, reason = call.action, call.reason
        found = (f"  {reason.symbol} {action} ", f"  ({reason})")
        self.heads[(id(action), id(reason))] = found
        return found

    def file(self, file: str) -> str:
        """``  file:`` as ``terminal`` shows it: a line number after it is digits, so only the
        file can need escaping, and it starts the text."""
        found = self.files[file] = "  " + terminal(f"{file}:")
        return found

    def path(self, path: str) -> str:
        """A change line's start: ``      path: ``."""
        found = self.paths[path] = f"      {terminal(path)}: "
        return found


def _call(parts: list[str], call: Call, show_requests: bool, pieces: _Pieces) -> None:
    # The pieces' look-ups are written out here: a plan of many calls makes them for each.
    head, reason = pieces.heads.get((id(call.action), id(call.reason))) or pieces.head(call)
    target = call.target_id
    # A call with an id is shown by it (``Call.subject``): digits, nothing to escape.
    subject = f"{target}" if type(target) is int and target else terminal(call.subject)
    source = call.source
    if source is None:
        parts.append(f"{head}{subject}{reason}")
    elif type(source.line) is int:
        file = pieces.files.get(source.file) or pieces.file(source.file)
        parts.append(f"{head}{subject}{reason}{file}{source.line}")
    else:
        parts.append(f"{head}{subject}{reason}  {terminal(str(source))}")
    for dependency in call.depends_on:
        parts.append(f"\n      after: {terminal(dependency)}")
    paths = pieces.paths
    for change in call.changes:
        line = paths.get(change.path) or pieces.path(change.path)
        if change.sensitive:
            parts.append(f"\n{line}{REDACTED}")
            continue
        before, after = change.before, change.after
        shown_after = _shown(after)
        if before is None:
            parts.append(f"\n{line}{shown_after}")
            continue
        parts.append(f"\n{line}{_shown(before)} → {shown_after}")
    if show_requests:
        parts.append(f"\n      {request_line(call)}")
        if call.body is not None:
            body = request_body(call.body)
            parts.append("\n" + "\n".join("      " + line for line in body.splitlines()))


def _shown(value: object) -> str:
    """``shown``, its case of text written out (``json_text``'s too: ASCII without DEL)."""
    if type(value) is not str:
        return shown(value)
    text: str = encode_basestring(value)
    return text if text.isascii() and "\x7f" not in text else json_text(text)
