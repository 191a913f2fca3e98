"""YAML events → plain data and a SourceMap, checking every hazard; the careful path.

Events come from ruamel.yaml's C parser when ruamel.yaml.clib is installed, else from its
pure-Python parser. A syntax error is always reported from the pure parser, whose messages
and positions are the ones this package documents; the C parser's wording differs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from reconciler.desired.loader.checked_text import Fatal
from reconciler.desired.loader.limits import MAX_ALIAS_NODES, MAX_DEPTH, MAX_SCALAR_CHARS
from reconciler.desired.loader.scalars import ImplicitScalar, LongNumber, implicit
from reconciler.desired.loader.source import (
    Document,
    Partial,
    SourceMap,
    Spots,
    YamlPath,
    format_path,
    shorten,
)
from reconciler.errors import Problem

_STD = "tag:yaml.org,2002:"
_SURROGATE = re.compile("[\ud800-\udfff]")
_KINDS = {bool: ("bool",), int: ("int", "float"), float: ("float",)}


def build(text: str, file: str, *, record: bool = True) -> Partial:
    """Data, positions and every problem of checked text (see ``text.decode``).

    With ``record`` False the problems still carry their positions, but no other position is
    kept: the document's source map is left empty, for the caller to place paths later (the
    map of every value costs more memory than the data itself).
    """
    try:
        return _build(text, file, pure=False, record=record)
    except YAMLError:
        return _build(text, file, pure=True, record=record)


def locate_all(text: str, file: str) -> tuple[Spots, Spots]:
    """The positions of every value and key of text that loads without problems."""
    document = build(text, file).document
    return (document.source.values, document.source.keys) if document else ({}, {})


def _build(text: str, file: str, *, pure: bool, record: bool) -> Partial:
    builder = _Builder(file, record)
    try:
        builder.run(_events(text, pure))
    except Fatal as fatal:
        return Partial(None, [*builder.problems, fatal.problem])
    except MarkedYAMLError as exc:
        if not pure:
            raise
        return Partial(None, [*builder.problems, _syntax_problem(file, exc)])
    except YAMLError as exc:
        if not pure:
            raise
        return Partial(None, [*builder.problems, Problem(file, 1, 1, "", f"invalid YAML: {exc}")])
    document = Document(file, builder.root, builder.source, text)
    return Partial(document, builder.problems, frozenset(builder.spoiled))


def _events(text: str, pure: bool) -> Iterator[Any]:
    """The one place text becomes YAML events."""
    return YAML(typ="safe", pure=pure).parse(text)  # type: ignore[no-any-return]


def _syntax_problem(file: str, exc: MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    message = f"invalid YAML: {exc.problem or exc.context or 'cannot parse'}"
    if exc.context and exc.problem and exc.context_mark is not None:
        message += f" ({exc.context} at line {exc.context_mark.line + 1})"
    return Problem(file, line, column, "", message)


def _tag_refused(tag: str) -> str:
    shown = "!!" + tag.removeprefix(_STD) if tag.startswith(_STD) else tag
    return f"tag '{shorten(shown)}' is not allowed here"


@dataclass(slots=True)
class _Frame:
    """An open mapping or sequence; ``path`` is None inside something being discarded."""

    container: dict[str, Any] | list[Any]
    path: YamlPath | None
    mark: Any
    start: int
    anchor: str | None
    key: str = ""
    has_key: bool = False
    key_ok: bool = False
    lines: dict[str, int] | None = None
    """Where each key was written (its line), when positions are not recorded."""


class _Builder:
    """Builds plain data and a SourceMap from YAML events, collecting problems."""

    def __init__(self, file: str, record: bool = True) -> None:
        self.file = file
        self.record = record
        self.source = SourceMap()
        self.problems: list[Problem] = []
        self.spoiled: set[YamlPath] = set()
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0
        self.aliased = 0
        self.documents = 0
        self.root: Any = None
        self.has_root = False

    def run(self, events: Iterable[Any]) -> None:
        for event in events:
            kind = type(event)
            if kind is ScalarEvent:
                self._scalar(event)
            elif kind is MappingStartEvent:
                self._start(event, {}, "map")
            elif kind is SequenceStartEvent:
                self._start(event, [], "seq")
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                self._end()
            elif kind is AliasEvent:
                self._alias(event)
            elif kind is DocumentStartEvent:
                self.documents += 1
                if self.documents > 1:
                    self._fatal(event.start_mark, "only one YAML document is allowed per file")
        if not self.has_root or self.root is None:
            raise Fatal(Problem(self.file, 1, 1, "", "file is empty"))
        if not isinstance(self.root, dict):
            what = "a list" if isinstance(self.root, list) else "text"
            line, column = self.source.values[()]
            message = f"the top level must be a mapping (account:, clients:, ...), not {what}"
            raise Fatal(Problem(self.file, line, column, "", message))

    def _problem(self, mark: Any, path: YamlPath, message: str) -> Problem:
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        return Problem(self.file, line, column, format_path(path), message)

    def _fatal(self, mark: Any, message: str) -> NoReturn:
        raise Fatal(self._problem(mark, (), message))

    def _soft(self, mark: Any, path: YamlPath | None, message: str, spoils: bool = False) -> None:
        if spoils and path is not None:
            self.spoiled.add(path)
        where = path if path is not None else (self.stack[-1].path or () if self.stack else ())
        self.problems.append(self._problem(mark, where, message))

    def _begin(self, mark: Any, empty: bool = False) -> YamlPath | None:
        """Record where a node starts; its path, or None for keys and discarded nodes."""
        if not self.stack:
            self.source.values[()] = (mark.line + 1, mark.column + 1)
            return ()
        parent = self.stack[-1]
        if parent.path is None:
            return None
        if isinstance(parent.container, list):
            path = (*parent.path, len(parent.container))
        elif parent.has_key and parent.key_ok:
            path = (*parent.path, parent.key)
            if empty and self.record:
                self.source.values[path] = self.source.keys[path]
                return path
        else:
            return None
        if self.record:
            self.source.values[path] = (mark.line + 1, mark.column + 1)
        return path

    def _finish(self, value: Any, mark: Any) -> None:
        """Attach a completed node to its parent, as an item, a key or a value."""
        if not self.stack:
            self.root, self.has_root = value, True
            return
        parent = self.stack[-1]
        if isinstance(parent.container, list):
            parent.container.append(value)
        elif not parent.has_key:
            self._take_key(parent, value, mark)
        else:
            parent.has_key = False
            if parent.key_ok:
                parent.container[parent.key] = value

    def _take_key(self, parent: _Frame, key: Any, mark: Any) -> None:
        parent.has_key, parent.key_ok = True, False
        if parent.path is None:
            return
        if type(key) is not str:
            if isinstance(key, (ImplicitScalar, LongNumber)):
                message = f"key {shorten(key)} must be text: quote it ('{shorten(key)}')"
            elif key is None:
                message = "a key is empty; keys must be text"
            else:
                message = "keys must be text, not a mapping or a list"
            self._soft(mark, parent.path, message)
            return
        path = (*parent.path, key)
        if self.record:
            first = self.source.keys.get(path)
            line = first[0] if first is not None else None
        else:
            if parent.lines is None:
                parent.lines = {}
            line = parent.lines.get(key)
        if key == "<<":
            self._soft(mark, parent.path, "merge keys ('<<') are not supported")
        elif line is not None:
            message = f"duplicate key '{shorten(key)}' (first written at line {line})"
            self._soft(mark, path, message)
        else:
            if self.record:
                self.source.keys[path] = (mark.line + 1, mark.column + 1)
            elif parent.lines is not None:
                parent.lines[key] = mark.line + 1
            parent.key, parent.key_ok = key, True

    def _start(self, event: Any, container: dict[str, Any] | list[Any], kind: str) -> None:
        mark = event.start_mark
        if len(self.stack) >= MAX_DEPTH:
            self._fatal(mark, f"nesting is deeper than {MAX_DEPTH} levels")
        path = self._begin(mark)
        tag = event.tag
        if tag is not None and str(tag) not in (_STD + kind, "!"):
            self._soft(mark, path, _tag_refused(str(tag)), spoils=True)
        self.nodes += 1
        self.stack.append(_Frame(container, path, mark, self.nodes, event.anchor))

    def _end(self) -> None:
        frame = self.stack.pop()
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (frame.container, self.nodes - frame.start + 1)
        self._finish(frame.container, frame.mark)

    def _scalar(self, event: Any) -> None:
        mark, text, tag = event.start_mark, event.value, event.tag
        plain = not event.style and tag is None  # the C parser says "" for plain
        empty = plain and text == "" and bool(self.stack) and self.stack[-1].has_key
        path = self._begin(mark, empty)
        if len(text) > MAX_SCALAR_CHARS:
            message = f"text is too long ({len(text)} characters; at most {MAX_SCALAR_CHARS})"
            self._soft(mark, path, message, spoils=True)
        surrogate = _SURROGATE.search(text)
        if surrogate is not None:
            code = f"U+{ord(surrogate.group()):04X}"
            message = f"text holds an escaped surrogate ({code}), which is not a character"
            self._soft(mark, path, message, spoils=True)
            text = _SURROGATE.sub("\ufffd", text)
        value: Any = text
        if plain:
            value = implicit(text)
        elif tag is not None and str(tag) not in ("!", _STD + "str"):
            value = self._tagged(str(tag), text, mark, path)
        self.nodes += 1
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1)
        self._finish(value, mark)

    def _tagged(self, tag: str, text: str, mark: Any, path: YamlPath | None) -> Any:
        kind = tag.removeprefix(_STD)
        if tag.startswith(_STD) and kind == "null":
            return None
        if tag.startswith(_STD) and kind in ("int", "float", "bool"):
            value = implicit(text.strip()) if text.strip() else None
            if isinstance(value, ImplicitScalar) and kind in _KINDS[type(value.value)]:
                tagged = ImplicitScalar(text)
                tagged.value = value.value
                return tagged
            self._soft(mark, path, f"the value is not a valid !!{kind}", spoils=True)
            return text
        self._soft(mark, path, _tag_refused(tag), spoils=True)
        return text

    def _alias(self, event: Any) -> None:
        mark, name = event.start_mark, event.anchor
        if name not in self.anchors:
            self._fatal(mark, f"alias *{shorten(name)} refers to no anchor defined before it")
        value, size = self.anchors[name]
        self.aliased += size
        if self.aliased > MAX_ALIAS_NODES:
            self._fatal(mark, f"aliases expand to more than {MAX_ALIAS_NODES} nodes (alias bomb?)")
        self._begin(mark)
        self.nodes += size
        self._finish(value, mark)
