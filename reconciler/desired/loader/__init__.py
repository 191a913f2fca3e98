"""YAML text → plain data, plus where every value and key was written.

The only package that parses YAML. Scalars stay text (see ``ImplicitScalar``) so a text field
keeps exactly what the user wrote; pydantic turns text into numbers where a number is expected.
Hazards are refused, each as a ``Problem``: bad encoding, syntax errors, several documents,
duplicate or non-text keys, unknown tags, alias bombs, deep nesting and oversized input.

Two paths give the same data. The fast one (``fast``: rapidyaml, no positions) loads a file
with nothing to report; its positions are worked out only if something later asks for one.
Everything else takes the careful one (``events``: ruamel.yaml events, every position), which
finds and places every problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.desired.loader.checked_text import TOO_LARGE, Fatal, decode
from reconciler.desired.loader.fast import fast_data
from reconciler.desired.loader.limits import (
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_SCALAR_CHARS,
)
from reconciler.desired.loader.outline import Outline
from reconciler.desired.loader.scalars import ImplicitScalar, LongNumber
from reconciler.desired.loader.source import (
    START,
    Document,
    Partial,
    Position,
    SourceMap,
    Spots,
    YamlPath,
    format_path,
    shorten,
)
from reconciler.errors import Problem, ValidationFailed
from reconciler.fileio import TooLarge, UnreadableFile, read_regular

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_SCALAR_CHARS",
    "START",
    "Document",
    "ImplicitScalar",
    "LongNumber",
    "Partial",
    "Position",
    "SourceMap",
    "YamlPath",
    "format_path",
    "load_yaml",
    "load_yaml_partial",
    "parse_yaml",
    "parse_yaml_partial",
    "shorten",
]


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
        data = read_regular(path, MAX_FILE_BYTES)
    except TooLarge:
        return Partial(None, [Problem(str(path), 1, 1, "", TOO_LARGE)])
    except (UnreadableFile, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        message = f"cannot read the file: {reason}"
        return Partial(None, [Problem(str(path), 1, 1, "", message)])
    return parse_yaml_partial(data, str(path))


def parse_yaml_partial(text: str | bytes, file: str) -> Partial:
    """Like ``parse_yaml``, but returns problems alongside whatever could be built.

    A problem that spoils a single entry (a duplicate key, an unknown tag) leaves the rest of
    the document usable; one that spoils the file (syntax, encoding, limits) returns None.
    """
    try:
        checked = decode(text, file)
    except Fatal as fatal:
        return Partial(None, [fatal.problem])
    # The bytes go to rapidyaml as they are when decoding changed nothing but their type.
    raw = None
    if isinstance(text, bytes) and not text.startswith(b"\xef\xbb\xbf") and b"\r" not in text:
        raw = text
    data = fast_data(checked, raw)
    if data is not None:
        return Partial(Document(file, data, _deferred(checked, data, file), checked), [])
    # ruamel.yaml is imported only when the careful path is needed. It keeps no position but
    # its problems': the map of every value costs more than the data, and most files it loads
    # have no problem to place, or one the outline places.
    from reconciler.desired.loader.events import build

    built = build(checked, file, record=False)
    if built.document is None:
        return built
    data = built.document.data
    document = Document(file, data, _deferred(checked, data, file), checked)
    return Partial(document, built.problems, built.spoiled)


def _deferred(text: str, data: dict[str, Any], file: str) -> SourceMap:
    """A source map that places paths when asked: by the outline where it can, else by placing
    every value of the file."""
    outline = Outline(text, data, file)
    return SourceMap(lambda: _locate_all(text, file), outline.locate, outline.locate_key)


def _locate_all(text: str, file: str) -> tuple[Spots, Spots]:
    from reconciler.desired.loader.events import locate_all

    return locate_all(text, file)
