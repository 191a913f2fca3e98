"""The plan as Markdown for a pull-request comment: summary first, details folded away.

GitHub refuses comments over 65,536 characters, so the text is capped (``LIMIT``): calls that
don't fit are left out and a closing line says how many, and how to see them all. Values are
shown JSON-encoded inside fenced blocks; every other piece of text a user or a server wrote
(file, account and resource names, error messages) goes through ``render.escape``, so it stays
text inside the block it was put in: it never becomes markup, HTML or a control character.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.core.fleet_document import FleetCounts, FleetEntry
from reconciler.core.plan import Action, Call, Plan
from reconciler.core.secrets import REDACTED
from reconciler.render.counts import counted
from reconciler.render.escape import code_span, fenced, terminal, terminal_lines
from reconciler.render.links import SourceLinks
from reconciler.render.text import UNMANAGED_NOTE, describe, summary_line
from reconciler.render.values import shown

LIMIT = 65_000
"""Most characters the Markdown may have (GitHub's comment limit is 65,536)."""

_HEADING = "### reconciler plan"
# Room kept for closing an open section and the line saying what was cut.
_RESERVE = 400


def _declared_at(call: Call, links: SourceLinks | None) -> str:
    """Where the call was declared: a link to the line when ``links`` can make one."""
    if call.source is None:
        return ""
    shown = code_span(str(call.source))
    url = links.url(call.source) if links is not None else None
    return f"declared at [{shown}]({url})\n" if url else f"declared at {shown}\n"


def _call_block(call: Call, links: SourceLinks | None = None) -> str:
    """One call: where it was declared, then a ``diff`` block: the request, why, dependencies,
    each field change."""
    lines = [
        f"{call.reason.symbol} {describe(call)} ({call.reason})",
        f"  {terminal(f'{call.method} {call.path}')}",
    ]
    lines.extend(f"  after: {terminal(dependency)}" for dependency in call.depends_on)
    for change in call.changes:
        path = terminal(change.path)
        if change.sensitive:
            lines.append(f"~ {path}: {REDACTED}")
            continue
        if change.before is not None:
            lines.append(f"- {path}: {shown(change.before, json_all=True)}")
        lines.append(f"+ {path}: {shown(change.after, json_all=True)}")
    return _declared_at(call, links) + fenced("\n".join(lines), "diff")


def _summary(plan: Plan) -> str:
    if plan.is_empty:
        return f"{_HEADING}\n\n**{summary_line(plan)}**\n"
    rows = "\n".join(f"| {action} | {n} |" for action, n in plan.counts().items())
    return (
        f"{_HEADING}\n\n**{summary_line(plan)}**\n\n"
        f"| action | calls |\n|---|---:|\n{rows}\n| **total** | **{len(plan.calls)}** |\n"
    )


def _by_action(plan: Plan) -> dict[Action, list[Call]]:
    groups: dict[Action, list[Call]] = {}
    for call in plan.calls:
        groups.setdefault(call.action, []).append(call)
    return groups


def render_markdown(plan: Plan, *, limit: int = LIMIT, links: SourceLinks | None = None) -> str:
    """The plan as Markdown of at most ``limit`` characters; each call says where it was
    declared, as a link to the line when ``links`` is given."""
    parts = [_summary(plan)]
    size = len(parts[0])
    calls_shown = 0
    full = False
    for action, calls in _by_action(plan).items():
        opening = f"\n<details><summary>{action} ({len(calls)})</summary>\n\n"
        if size + len(opening) + _RESERVE > limit:
            break
        parts.append(opening)
        size += len(opening)
        for call in calls:
            block = _call_block(call, links)
            full = size + len(block) + _RESERVE > limit
            if full:
                break
            parts.append(block)
            size += len(block)
            calls_shown += 1
        parts.append("\n</details>\n")
        size += len(parts[-1])
        if full:
            break
    left_out = len(plan.calls) - calls_shown
    if left_out:
        parts.append(
            f"\n**{left_out:,} of {counted(len(plan.calls), 'call', grouped=True)} not shown** "
            "(the comment is capped "
            f"at {limit:,} characters); run `reconciler plan` to see them all.\n"
        )
    elif plan.unmanaged:
        parts.append(_unmanaged_section(plan.unmanaged, limit - size - _RESERVE // 2))
    return "".join(parts)


def _unmanaged_section(resources: tuple[str, ...], room: int) -> str:
    """Resources no longer declared, as many as fit in ``room`` characters."""
    opening = f"\n<details><summary>no longer managed ({len(resources)})</summary>\n\n"
    closing = "\n</details>\n"
    lines: list[str] = []
    size = len(opening) + len(closing) + 120
    for resource in resources:
        line = f"- {code_span(resource)}: {UNMANAGED_NOTE}\n"
        if size + len(line) > room:
            lines.append(f"- … and {len(resources) - len(lines):,} more\n")
            break
        lines.append(line)
        size += len(line)
    return opening + "".join(lines) + closing


def render_fleet_markdown(entries: Sequence[FleetEntry], *, limit: int = LIMIT) -> str:
    """A fleet's plans as Markdown: a summary line, then a section per account, each given an
    equal share of ``limit``."""
    planned = [entry.plan for entry in entries if entry.plan is not None]
    calls = sum(len(plan.calls) for plan in planned)
    skipped = sum(1 for entry in entries if not entry.attempted)
    failed = len(entries) - len(planned) - skipped
    head = (
        f"## reconciler fleet plan\n\n{counted(len(entries), 'account')}: "
        f"{sum(1 for plan in planned if not plan.is_empty)} with changes "
        f"({counted(calls, 'call', grouped=True)}), "
        f"{failed} failed{f', {skipped} not attempted' if skipped else ''}.\n"
    )
    share = max(_RESERVE * 2, (limit - len(head)) // max(1, len(entries)) - 100)
    parts = [head]
    for entry in entries:
        parts.append(f"\n## Account {code_span(entry.account)}\n\n")
        if not entry.attempted:
            parts.append("**not attempted**: the fleet stopped before this account started.\n")
        elif entry.plan is None:
            error = terminal_lines(entry.error or "failed")[: share - 50]
            parts.append(f"**failed**\n\n{fenced(error)}")
        else:
            parts.append(render_markdown(entry.plan, limit=share))
    return "".join(parts)


def _fleet_head(accounts: int, changed: int, calls: int, failed: int, skipped: int) -> str:
    return (
        f"## reconciler fleet plan\n\n{counted(accounts, 'account')}: "
        f"{changed} with changes ({counted(calls, 'call', grouped=True)}), "
        f"{failed} failed{f', {skipped} not attempted' if skipped else ''}.\n"
    )


def _share(head: str, accounts: int, limit: int) -> int:
    return max(_RESERVE * 2, (limit - len(head)) // max(1, accounts) - 100)


def _fleet_section(entry: FleetEntry, share: int) -> str:
    """One account's section of the fleet Markdown, within ``share`` characters."""
    heading = f"\n## Account {code_span(entry.account)}\n\n"
    if not entry.attempted:
        return heading + "**not attempted**: the fleet stopped before this account started.\n"
    if entry.plan is None:
        error = terminal_lines(entry.error or "failed")[: share - 50]
        return heading + f"**failed**\n\n{fenced(error)}"
    return heading + render_markdown(entry.plan, limit=share)


class FleetMarkdown:
    """The fleet's Markdown built as accounts end, keeping each account's section text only.

    A section's share of the cap depends on the summary line, known only at the end; with the
    fleet's size known, the share is bounded by the shortest and longest summary lines it
    could have: when the section reads the same at both bounds (always for a large fleet,
    whose shares are all the floor), its text is kept and its plan dropped; otherwise the
    account is kept and rendered at the end. ``text`` gives the same text as
    ``render_fleet_markdown`` over the accounts in the order of their keys."""

    def __init__(self, accounts: int | None, *, limit: int = LIMIT) -> None:
        self._accounts = accounts
        self._limit = limit
        self._parts: list[tuple[tuple[int, str], str | FleetEntry]] = []
        self._counts = FleetCounts()

    def add(self, key: tuple[int, str], entry: FleetEntry) -> None:
        """One finished account, placed by ``key`` (its position, then its name)."""
        self._counts.add(entry)
        self._parts.append((key, self._section_now(entry)))

    def _section_now(self, entry: FleetEntry) -> str | FleetEntry:
        n = self._accounts
        if n is None:
            return entry
        most = _share(_fleet_head(n, 0, 1, 0, 0), n, self._limit)
        least = _share(_fleet_head(n, n, 10**18, n, n), n, self._limit)
        section = _fleet_section(entry, most)
        if least == most or _fleet_section(entry, least) == section:
            return section
        return entry

    def text(self) -> str:
        """The whole Markdown, as ``render_fleet_markdown`` writes it."""
        counts = self._counts
        head = _fleet_head(
            counts.accounts,
            counts.with_changes,
            counts.calls,
            counts.failed,
            counts.not_attempted,
        )
        share = _share(head, counts.accounts, self._limit)
        parts = [head]
        for _, part in sorted(self._parts, key=lambda item: item[0]):
            parts.append(part if isinstance(part, str) else _fleet_section(part, share))
        return "".join(parts)
