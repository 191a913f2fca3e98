"""Where things were written: positions, the source map of a document, and the parse results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import Problem

YamlPath = tuple[str | int, ...]
Spots = dict[YamlPath, tuple[int, int]]


@dataclass(frozen=True)
class Position:
    """A place in a file, 1-based."""

    line: int
    column: int


START = Position(1, 1)


class SourceMap:
    """Where each mapping value, mapping key and sequence item of a document was written.

    A map can be *deferred*: built by ``locate_all`` on the first lookup, so a file that loads
    without problems never pays for position tracking. A deferred map may also have an
    ``outline`` that places some paths (and ``outline_key`` some keys) exactly for much less
    (see ``outline.Outline``); it is asked first, and the whole map is built only for a path
    it can't place.
    """

    def __init__(
        self,
        locate_all: Callable[[], tuple[Spots, Spots]] | None = None,
        outline: Callable[[YamlPath], tuple[int, int] | None] | None = None,
        outline_key: Callable[[YamlPath], tuple[int, int] | None] | None = None,
    ) -> None:
        self.values: Spots = {}
        self.keys: Spots = {}
        self._locate_all = locate_all
        self._outline = outline
        self._outline_key = outline_key

    def locate(self, path: YamlPath) -> Position:
        """The position of ``path``, else of its nearest known ancestor, else the file's start."""
        return Position(*self.spot(path))

    def spot(self, path: YamlPath) -> tuple[int, int]:
        """``locate``'s line and column."""
        if self._locate_all is not None and self._outline is not None:
            found = self._outline(path)
            if found is not None:
                return found
        values = self._spots()[0]
        for end in range(len(path), -1, -1):
            found = values.get(path[:end])
            if found is not None:
                return found
        return START.line, START.column

    def key_position(self, path: YamlPath) -> Position:
        """Where the key of ``path`` was written (falls back to ``locate``)."""
        if self._locate_all is not None and self._outline_key is not None:
            placed = self._outline_key(path)
            if placed is not None:
                return Position(*placed)
        found = self._spots()[1].get(path)
        return Position(*found) if found is not None else self.locate(path)

    def _spots(self) -> tuple[Spots, Spots]:
        if self._locate_all is not None:
            locate_all, self._locate_all = self._locate_all, None
            self.values, self.keys = locate_all()
        return self.values, self.keys

    def __repr__(self) -> str:
        if self._locate_all is not None:
            return "SourceMap(deferred)"
        return f"SourceMap({len(self.values)} values, {len(self.keys)} keys)"


@dataclass(frozen=True)
class Document:
    """A parsed file: plain data (dict, list, str, ``ImplicitScalar``, None) and its positions."""

    file: str
    data: Any = field(repr=False)
    source: SourceMap = field(repr=False)
    text: str | None = field(default=None, repr=False)
    """The checked text the data was read from, when kept (for checks on the text itself)."""


@dataclass(frozen=True)
class Partial:
    """A stage's result despite problems: ``spoiled`` paths hold values kept as written.

    ``document`` is None when nothing usable could be built.
    """

    document: Document | None
    problems: list[Problem]
    spoiled: frozenset[YamlPath] = frozenset()


def format_path(path: YamlPath) -> str:
    """``("clients", 3, "email")`` → ``clients[3].email``."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        else:
            out.append(("." if out else "") + shorten(part))
    return "".join(out)


def shorten(text: str, limit: int = 40) -> str:
    """Text cut to ``limit`` characters, for echoing user input in messages."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
