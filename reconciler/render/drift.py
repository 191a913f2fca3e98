"""The text of what reading the live account found: drift, resolved references, read-back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.core.kinds import registry
from reconciler.core.live_fold import Refreshed
from reconciler.core.references import Resolution
from reconciler.core.verification import Verification
from reconciler.render.counts import counted
from reconciler.render.escape import terminal
from reconciler.render.text import describe
from reconciler.render.values import shown

SECRETS_NOTE = "secrets can't be read back ({}): not checked for drift"
UNREADABLE_NOTE = "the live account does not return {}: not checked for drift"

if TYPE_CHECKING:  # rich is imported where a Text is built: plain output never needs it
    from rich.text import Text


def render_refresh(refreshed: Refreshed) -> Text:
    """Drift (last applied → live), briefly, then one summary line."""
    from rich.text import Text

    out = Text()
    if refreshed.drift:
        out.append("Drift: the live account differs from what was last applied\n", style="bold")
    for drift in refreshed.drift:
        out.append("  ! ", style="bold magenta")
        out.append(terminal(drift.resource), style="bold")
        if drift.gone:
            out.append("  (not found on the live account)", style="dim")
        out.append("\n")
        for change in drift.changes:
            out.append(f"      {terminal(change.path)}: ")
            out.append(shown(change.before), style="red")
            out.append(" → ")
            out.append(shown(change.after), style="magenta")
            out.append("  (applied → live)\n", style="dim")
    if refreshed.unreadable:
        fields = terminal(", ".join(refreshed.unreadable))
        out.append(f"{UNREADABLE_NOTE.format(fields)}\n", style="dim")
    if refreshed.unchecked_secrets:
        secrets = terminal(", ".join(refreshed.unchecked_secrets))
        out.append(SECRETS_NOTE.format(secrets) + "\n", style="dim")
    drifted = len(refreshed.drift)
    recorded = len(refreshed.recorded)
    line = f"Refresh: {counted(refreshed.read, 'declared resource')} read; "
    line += f"{drifted} drifted" if drifted else "no drift"
    if recorded:
        line += f"; {recorded} recorded from the live account"
    out.append(line + ".", style="bold")
    return out


def render_resolution(resolution: Resolution) -> Text:
    """Resources found by natural key on the live account (clients adopted by code), those to
    create, then every natural key named (series), each as its kind words it."""
    from rich.text import Text

    out = Text()
    kinds = registry.KINDS
    for kind in kinds:
        for key, identifier in sorted(resolution.found.get(kind.name, {}).items()):
            if kind.said_found:
                out.append(f"  = {kind.said_found.format(key=key, id=identifier)}\n")
    for kind in kinds:
        for key in resolution.to_create.get(kind.name, ()) if kind.said_created else ():
            out.append(f"  + {kind.said_created.format(key=key)}\n")
    for kind in kinds:
        for key, identifier in sorted(resolution.named.get(kind.name, {}).items()):
            if kind.said_named:
                out.append(f"  = {kind.said_named.format(key=key, id=identifier)}\n", style="dim")
    return out


def render_verification(verification: Verification) -> Text:
    """Every field applied but not converged, with what was sent and what the API holds."""
    from rich.text import Text

    out = Text()
    for item in verification.not_converged:
        out.append("  not converged: ", style="bold red")
        out.append(f"{describe(item.call)}: {terminal(item.field)}: sent ")
        out.append(shown(item.sent), style="green")
        out.append(", live ")
        out.append(shown(item.live), style="red")
        out.append("\n")
    bad = len({id(item.call) for item in verification.not_converged})
    line = f"Verify: {counted(verification.checked, 'call')} read back; "
    line += f"{bad} applied but not converged." if bad else "all converged."
    out.append(line, style="bold red" if bad else "bold green")
    return out
