"""What a fleet prints besides each account's section: its errors, each distinct one once, and
the accounts it did not attempt; and what it keeps of each finished account."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import click
from rich.console import Console

from reconciler.cli.annotations import annotations_of
from reconciler.cli.command_secrets import in_play
from reconciler.cli.exits import EXIT_ERROR
from reconciler.errors import ReconcilerError
from reconciler.render.escape import terminal
from reconciler.render.messages import error_message

PLACEHOLDER = "<account>"
"""Stands for each account's name in a message that several accounts share."""


@dataclass
class Failures:
    """The errors of a fleet's accounts, gathered as they end and printed on stderr at the end:
    errors that read alike once the account's name is taken out are shown once, with how many
    accounts met them and their names."""

    error_format: str = "text"
    _groups: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    _own: list[str] = field(default_factory=list)

    def add(self, name: str, error: ReconcilerError) -> None:
        """One account's error (its GitHub annotations, if asked for, printed at once)."""
        shown = error_message(error, in_play().redactor)
        if self.error_format == "github":
            text = in_play().redactor(str(error))
            for line in annotations_of(error, text, f"reconciler: {name}"):
                click.echo(line, err=True)
        self._groups.setdefault(_without(shown, terminal(name)), []).append((name, shown))

    def add_fleet(self, error: ReconcilerError) -> None:
        """An error of the whole fleet, before any account started."""
        self._own.append(error_message(error, in_play().redactor))

    def print(self) -> None:
        """Every error gathered, each distinct one once, in the order they first happened."""
        for message in self._own:
            click.echo(f"error: {message}", err=True)
        for key, met in self._groups.items():
            if len(met) == 1:
                name, shown = met[0]
                click.echo(f"error: {terminal(name)}: {shown}", err=True)
                continue
            names = ", ".join(terminal(name) for name, _ in met)
            click.echo(f"error: {len(met)} accounts ({names}): {key}", err=True)


def _without(message: str, name: str) -> str:
    """``message`` with the account's name, where it stands as a word or a file's stem, replaced
    by ``PLACEHOLDER``."""
    pattern = rf"(?<![A-Za-z0-9_-]){re.escape(name)}(?![A-Za-z0-9_-])"
    return re.sub(pattern, PLACEHOLDER, message)


def not_attempted_line(names: Sequence[str]) -> str:
    """The accounts a fleet that stopped never started, as one line of its text output."""
    return f"not attempted: {', '.join(terminal(name) for name in names)}"


@dataclass
class Tally:
    """What a fleet keeps of each finished account: its exit code, and what it planned."""

    codes: list[int] = field(default_factory=list)
    changed: int = 0
    calls: int = 0
    in_sync: int = 0
    skipped: list[str] = field(default_factory=list)

    def failed(self) -> int:
        return sum(1 for code in self.codes if code == EXIT_ERROR) - len(self.skipped)

    def stopped(self, out: Console) -> None:
        """The accounts never started, when the fleet stopped early."""
        if self.skipped:
            out.print(not_attempted_line(self.skipped))

    def not_attempted(self) -> str:
        return f", {len(self.skipped)} not attempted" if self.skipped else ""
