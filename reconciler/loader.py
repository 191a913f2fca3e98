"""YAML text → plain data, plus where every value and key was written.

The only module that parses YAML. Scalars stay text (see ``ImplicitScalar``) so a text field keeps
exactly what the user wrote; pydantic turns text into numbers where a number is expected.
Hazards are refused, each as a ``Problem``: bad encoding, syntax errors, several documents,
duplicate or non-text keys, unknown tags, alias bombs, deep nesting and oversized input.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
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

from reconciler.errors import Problem, ValidationFailed

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 50
MAX_ALIAS_NODES = 100_000
MAX_SCALAR_CHARS = 100_000

YamlPath = tuple[str | int, ...]

_STD = "tag:yaml.org,2002:"
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_INT = re.compile(r"[-+]?(?:0b[0-1_]+|0o?[0-7_]+|[0-9_]+|0x[0-9a-fA-F_]+)")
_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
    r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_KINDS = {bool: ("bool",), int: ("int", "float"), float: ("float",)}


@dataclass(frozen=True)
class Position:
    """A place in a file, 1-based."""

    line: int
    column: int


START = Position(1, 1)


class SourceMap:
    """Where each mapping value, mapping key and sequence item of a document was written."""

    def __init__(self) -> None:
        self._values: dict[YamlPath, tuple[int, int]] = {}
        self._keys: dict[YamlPath, tuple[int, int]] = {}

    def locate(self, path: YamlPath) -> Position:
        """The position of ``path``, else of its nearest known ancestor, else the file's start."""
        for end in range(len(path), -1, -1):
            found = self._values.get(path[:end])
            if found is not None:
                return Position(*found)
        return START

    def key_position(self, path: YamlPath) -> Position:
        """Where the key of ``path`` was written (falls back to ``locate``)."""
        found = self._keys.get(path)
        return Position(*found) if found is not None else self.locate(path)

    def __repr__(self) -> str:
        return f"SourceMap({len(self._values)} values, {len(self._keys)} keys)"


class ImplicitScalar(str):
    """An unquoted scalar YAML would read as a number or boolean: its text, and ``.value``."""

    value: int | float | bool

    def __new__(cls, text: str, value: int | float | bool) -> ImplicitScalar:
        self = super().__new__(cls, text)
        self.value = value
        return self

    def __getnewargs__(self) -> tuple[str, int | float | bool]:  # type: ignore[override]
        return (str(self), self.value)

    def __repr__(self) -> str:
        return f"ImplicitScalar({str.__repr__(self)})"


@dataclass(frozen=True)
class Document:
    """A parsed file: plain data (dict, list, str, ``ImplicitScalar``, None) and its positions."""

    file: str
    data: Any = field(repr=False)
    source: SourceMap = field(repr=False)


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


def load_yaml(path: Path) -> Document:
    """Read and parse a YAML file; raise ``ValidationFailed`` listing every problem."""
    return _unwrap(load_yaml_partial(path))


def parse_yaml(text: str | bytes, file: str) -> Document:
    """Parse YAML text; raise ``ValidationFailed`` listing every problem."""
    return _unwrap(parse_yaml_partial(text, file))


def _unwrap(partial: Partial) -> Document:
    if partial.problems or partial.document is None:
        raise ValidationFailed(partial.problems)
    return partial.document


def load_yaml_partial(path: Path) -> Partial:
    """Like ``load_yaml``, but returns problems; the document is None only if nothing was usable."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        message = f"cannot read the file: {exc.strerror or exc}"
        return Partial(None, [Problem(str(path), 1, 1, "", message)])
    return parse_yaml_partial(data, str(path))


def parse_yaml_partial(text: str | bytes, file: str) -> Partial:
    """Like ``parse_yaml``, but returns problems alongside whatever could be built.

    A problem that spoils a single entry (a duplicate key, an unknown tag) leaves the rest of
    the document usable; one that spoils the file (syntax, encoding, limits) returns None.
    """
    builder = _Builder(file)
    try:
        builder.run(_events(_decode(text, file)))
    except _Fatal as fatal:
        return Partial(None, [*builder.problems, fatal.problem])
    except MarkedYAMLError as exc:
        return Partial(None, [*builder.problems, _syntax_problem(file, exc)])
    except YAMLError as exc:
        return Partial(None, [*builder.problems, Problem(file, 1, 1, "", f"invalid YAML: {exc}")])
    document = Document(file, builder.root, builder.source)
    return Partial(document, builder.problems, frozenset(builder.spoiled))


def _events(text: str) -> Iterator[Any]:
    """The one place text becomes YAML events; a faster event source can be swapped in here."""
    return YAML(typ="safe", pure=True).parse(text)  # type: ignore[no-any-return]


class _Fatal(Exception):
    """A problem that stops parsing."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _decode(text: str | bytes, file: str) -> str:
    """Checked text: within the size limit, valid UTF-8, no characters YAML forbids."""
    if len(text) > MAX_FILE_BYTES:
        raise _Fatal(Problem(file, 1, 1, "", f"file is larger than {_MIB} MiB"))
    if isinstance(text, bytes):
        text = _utf8(text.removeprefix(codecs.BOM_UTF8), file)
    text = text.removeprefix("\ufeff")
    bad_char = _NON_PRINTABLE.search(text)
    if bad_char is not None:
        at = bad_char.start()
        line = text.count("\n", 0, at) + 1
        column = at - text.rfind("\n", 0, at)
        message = f"character U+{ord(bad_char.group()):04X} is not allowed in YAML (binary file?)"
        raise _Fatal(Problem(file, line, column, "", message))
    return text


def _utf8(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        message = f"not valid UTF-8 text (byte 0x{data[exc.start]:02x})"
        raise _Fatal(Problem(file, line, column, "", message)) from None


_MIB = MAX_FILE_BYTES // (1024 * 1024)


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


def _implicit(text: str) -> str | ImplicitScalar | None:
    """Resolve an unquoted scalar as YAML 1.2 would, keeping numbers' and booleans' text."""
    if text in _NULL:
        return None
    first = text[0]
    if first in "tTfF" and _BOOL.fullmatch(text):
        return ImplicitScalar(text, text.lower() == "true")
    if first in "-+0123456789.":
        if _INT.fullmatch(text):
            return _native(text, "int")
        if _FLOAT.fullmatch(text):
            return _native(text, "float")
    return text


def _native(text: str, kind: str) -> str | ImplicitScalar:
    """``text`` with its value as ``kind`` (int or float); plain text if it isn't one."""
    plain = text.replace("_", "").strip()
    try:
        if kind == "float":
            lowered = plain.lower().replace(".inf", "inf").replace(".nan", "nan")
            return ImplicitScalar(text, float(lowered))
        sign = -1 if plain.startswith("-") else 1
        digits = plain.lstrip("+-")
        base = {"0b": 2, "0o": 8, "0x": 16}.get(digits[:2].lower(), 10)
        return ImplicitScalar(text, sign * int(digits[2:] if base != 10 else digits, base))
    except ValueError:
        return text


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


class _Builder:
    """Builds plain data and a SourceMap from YAML events, collecting problems."""

    def __init__(self, file: str) -> None:
        self.file = file
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
            raise _Fatal(Problem(self.file, 1, 1, "", "file is empty"))
        if not isinstance(self.root, dict):
            what = "a list" if isinstance(self.root, list) else "text"
            line, column = self.source._values[()]
            message = f"the top level must be a mapping (account:, clients:, ...), not {what}"
            raise _Fatal(Problem(self.file, line, column, "", message))

    def _problem(self, mark: Any, path: YamlPath, message: str) -> Problem:
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        return Problem(self.file, line, column, format_path(path), message)

    def _fatal(self, mark: Any, message: str) -> NoReturn:
        raise _Fatal(self._problem(mark, (), message))

    def _soft(self, mark: Any, path: YamlPath | None, message: str, spoils: bool = False) -> None:
        if spoils and path is not None:
            self.spoiled.add(path)
        where = path if path is not None else (self.stack[-1].path or () if self.stack else ())
        self.problems.append(self._problem(mark, where, message))

    def _begin(self, mark: Any, empty: bool = False) -> YamlPath | None:
        """Record where a node starts; its path, or None for keys and discarded nodes."""
        if not self.stack:
            self.source._values[()] = (mark.line + 1, mark.column + 1)
            return ()
        parent = self.stack[-1]
        if parent.path is None:
            return None
        if isinstance(parent.container, list):
            path = (*parent.path, len(parent.container))
        elif parent.has_key and parent.key_ok:
            path = (*parent.path, parent.key)
            if empty:
                self.source._values[path] = self.source._keys[path]
                return path
        else:
            return None
        self.source._values[path] = (mark.line + 1, mark.column + 1)
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
            if isinstance(key, ImplicitScalar):
                message = f"key {shorten(key)} must be text: quote it ('{shorten(key)}')"
            elif key is None:
                message = "a key is empty; keys must be text"
            else:
                message = "keys must be text, not a mapping or a list"
            self._soft(mark, parent.path, message)
            return
        path = (*parent.path, key)
        first = self.source._keys.get(path)
        if key == "<<":
            self._soft(mark, parent.path, "merge keys ('<<') are not supported")
        elif first is not None:
            message = f"duplicate key '{shorten(key)}' (first written at line {first[0]})"
            self._soft(mark, path, message)
        else:
            self.source._keys[path] = (mark.line + 1, mark.column + 1)
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
        plain = event.style is None and tag is None
        empty = plain and text == "" and bool(self.stack) and self.stack[-1].has_key
        path = self._begin(mark, empty)
        if len(text) > MAX_SCALAR_CHARS:
            message = f"text is too long ({len(text)} characters; at most {MAX_SCALAR_CHARS})"
            self._soft(mark, path, message, spoils=True)
        value: Any = text
        if plain:
            value = _implicit(text)
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
            value = _implicit(text.strip()) if text.strip() else None
            if isinstance(value, ImplicitScalar) and kind in _KINDS[type(value.value)]:
                return ImplicitScalar(text, value.value)
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
