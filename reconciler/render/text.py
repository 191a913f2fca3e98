"""The human-readable plan and apply summary, as rich ``Text`` (colour is the console's call)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from reconciler.core.diff import FieldChange
from reconciler.core.kinds import registry
from reconciler.core.plan import Call, Plan
from reconciler.core.report import ApplyReport, Outcome, Status
from reconciler.core.secrets import REDACTED, redacted
from reconciler.render.counts import counted
from reconciler.render.escape import terminal, terminal_lines
from reconciler.render.values import mark, shown

if TYPE_CHECKING:  # rich is imported where a Text is built: plain output never needs it
    from rich.text import Text


def _change_line(change: FieldChange) -> Text:
    from rich.text import Text

    line = Text(f"      {terminal(change.path)}: ")
    if change.sensitive:
        line.append(REDACTED, style="magenta")
        return line
    if change.before is not None:
        line.append(shown(change.before), style="red")
        line.append(" → ")
    line.append(shown(change.after), style="green")
    return line


def describe(call: Call) -> str:
    """A call's one-line name, e.g. ``update client 42`` or ``create client 'C-9'``."""
    return f"{call.action} {terminal(call.subject)}"


def render_call(call: Call, *, show_requests: bool) -> Text:
    """One block: what the call does and why, each field change, and optionally the request."""
    from rich.text import Text

    symbol, style = mark(call.reason)
    block = Text()
    block.append(f"  {symbol} ", style=f"bold {style}")
    block.append(describe(call), style="bold")
    block.append(f"  ({call.reason})", style="dim")
    if call.source is not None:
        block.append(f"  {terminal(str(call.source))}", style="dim")
    for dependency in call.depends_on:
        block.append(f"\n      after: {terminal(dependency)}", style="dim")
    for change in call.changes:
        block.append("\n")
        block.append(_change_line(change))
    if show_requests:
        block.append(f"\n      {request_line(call)}", style="cyan")
        if call.body is not None:
            body = request_body(call.body)
            block.append(
                "\n" + "\n".join("      " + line for line in body.splitlines()), style="cyan"
            )
    return block


def request_line(call: Call) -> str:
    """The call's method and path as ``--show-requests`` shows them, the API key redacted."""
    return terminal(f"{call.method} {call.path}?api_key={REDACTED}")


def request_body(body: object) -> str:
    """A request's body as indented JSON, every secret redacted, every line safe to print."""
    return terminal_lines(json.dumps(redacted(body), ensure_ascii=False, indent=2))


def account_heading(name: str, file: str) -> str:
    """A fleet account's heading in text output: ``== name (file) ==``."""
    return f"== {terminal(name)} ({terminal(file)}) =="


UNMANAGED_NOTE = "nothing is deleted on the account"


def unmanaged_line(resource: str) -> str:
    """One resource the desired state no longer declares, as the plan shows it."""
    return f"no longer managed: {terminal(registry.describe(resource))} — {UNMANAGED_NOTE}"


def summary_line(plan: Plan) -> str:
    """``Plan: N calls (...); K no longer managed; M in sync.``"""
    if plan.is_empty:
        verb = "is" if len(plan.in_sync) == 1 else "are"
        return f"No changes. {counted(len(plan.in_sync), 'declared resource')} {verb} in sync."
    parts = []
    if plan.calls:
        counts = ", ".join(f"{n} {action}" for action, n in plan.counts().items())
        parts.append(f"{counted(len(plan.calls), 'call')} ({counts})")
    else:
        parts.append("no calls")
    if plan.unmanaged:
        parts.append(f"{len(plan.unmanaged)} no longer managed (records dropped on apply)")
    parts.append(f"{counted(len(plan.in_sync), 'resource')} in sync")
    return "Plan: " + "; ".join(parts) + "."


def render_plan(plan: Plan, *, show_requests: bool = False) -> Text:
    """The whole dry run: one block per call, then the summary line."""
    from rich.text import Text

    out = Text()
    for call in plan.calls:
        out.append(render_call(call, show_requests=show_requests))
        out.append("\n")
    for resource in plan.unmanaged:
        out.append("  - ", style="bold red")
        out.append(unmanaged_line(resource) + "\n", style="dim")
    if plan.calls or plan.unmanaged:
        out.append("\n")
    out.append(summary_line(plan), style="bold")
    return out


def _failures_alike(report: ApplyReport) -> dict[str, list[Outcome]]:
    """The failed outcomes by their cause (a call's failure without the call)."""
    alike: dict[str, list[Outcome]] = {}
    for outcome in report.with_status(Status.FAILED):
        if outcome.cause:
            alike.setdefault(outcome.cause, []).append(outcome)
    return alike


def _names(group: list[Outcome], shown: int = 3) -> str:
    """``update client 1, update client 2 and update client 3``, or ``... and 5 more``."""
    names = [describe(outcome.call) for outcome in group]
    if len(names) <= shown:
        return f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{', '.join(names[: shown - 1])} and {len(names) - shown + 1} more"


def render_report(report: ApplyReport, *, list_failures: bool = True) -> Text:
    """What failed (with the API's message) and what was skipped, and why; calls not attempted
    counted once per reason; then the summary line. ``list_failures`` False leaves out the
    failures a terminal's progress output already showed."""
    from rich.text import Text

    out = Text()
    alike = _failures_alike(report)
    for outcome in report.outcomes:
        if outcome.status in (Status.SUCCEEDED, Status.NOT_ATTEMPTED) or not list_failures:
            continue
        style = "red" if outcome.status is Status.FAILED else "yellow"
        group = alike.get(outcome.cause, []) if outcome.status is Status.FAILED else []
        if len(group) > 1:
            if outcome is not group[0]:
                continue  # shown with the first of its kind
            out.append(f"  {outcome.status}: ", style=f"bold {style}")
            out.append(_names(group))
            out.append(f": {outcome.cause} ({len(group)} calls)\n")
            continue
        out.append(f"  {outcome.status}: ", style=f"bold {style}")
        out.append(describe(outcome.call))
        out.append(f": {terminal(outcome.detail)}\n")
    for reason, count in report.not_attempted().items():
        out.append("  not attempted: ", style="bold red")
        out.append(f"{counted(count, 'call')}: {terminal(reason)}\n")
    counts = [
        f"{len(report.with_status(Status.SUCCEEDED))} succeeded",
        f"{len(report.with_status(Status.FAILED))} failed",
        f"{len(report.with_status(Status.SKIPPED))} skipped",
    ]
    if report.with_status(Status.NOT_ATTEMPTED):
        counts.append(f"{len(report.with_status(Status.NOT_ATTEMPTED))} not attempted")
    forgotten = f"; {len(report.forgotten)} no longer managed, records dropped"
    out.append(
        f"Apply: {', '.join(counts)}{forgotten if report.forgotten else ''}.",
        style="bold green" if report.ok else "bold red",
    )
    return out
