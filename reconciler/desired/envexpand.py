"""``${NAME}``, ``${NAME:-default}`` and ``$$`` in a document's strings, from the environment.

Keys are left alone, and so is a ``$`` followed by anything else. A secret field (the
passwords) reads any variable; every other field only one the operator allowed
(``secrets_in_play.allows``). A reference to a variable not allowed there, to an unset one, or
a malformed one, is a Problem at the value that holds it; messages name the variable but never
show a value, since values are often secrets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from reconciler.desired.loader import Document, ImplicitScalar, Partial, YamlPath, format_path
from reconciler.desired.models import SECRET_FIELDS
from reconciler.desired.secrets_in_play import NOT_ALLOWED, allows
from reconciler.errors import Problem, ValidationFailed

SECRET_PATHS = frozenset(("account", *field.split(".")) for field in SECRET_FIELDS)
"""Where the secret fields are written in a desired file."""

_REFERENCE = re.compile(r"\$(?:(\$)|\{([^}]*)(\}?))")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_Report = Callable[[YamlPath, str], None]


def expand(doc: Document, environ: Mapping[str, str]) -> Document:
    """``doc`` with every reference expanded; raise ``ValidationFailed`` listing every problem."""
    partial = expand_partial(doc, environ)
    if partial.problems or partial.document is None:
        raise ValidationFailed(partial.problems)
    return partial.document


def expand_partial(doc: Document, environ: Mapping[str, str]) -> Partial:
    """Like ``expand``, but returns problems; a string that can't be expanded is left as written."""
    if doc.text is not None and "$" not in doc.text and "\\" not in doc.text:
        return Partial(doc, [])  # no '$' is written, and no escape ('\x24') writes one
    problems: list[Problem] = []
    spoiled: set[YamlPath] = set()

    def report(path: YamlPath, message: str) -> None:
        where = doc.source.locate(path)
        problems.append(Problem(doc.file, where.line, where.column, format_path(path), message))
        spoiled.add(path)

    data = _walk(doc.data, (), environ, report)
    return Partial(Document(doc.file, data, doc.source, doc.text), problems, frozenset(spoiled))


def _walk(value: Any, path: YamlPath, environ: Mapping[str, str], report: _Report) -> Any:
    """``value`` expanded; containers with nothing to expand come back as they are."""
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return _expand(value, path, environ, report)
    copy: Any = None
    for key, item in items:
        if isinstance(item, dict | list):
            new = _walk(item, (*path, key), environ, report)
        elif type(item) is str and "$" in item:
            new = _expand(item, (*path, key), environ, report)
        else:
            continue
        if new is not item:
            if copy is None:
                copy = dict(value) if isinstance(value, dict) else list(value)
            copy[key] = new
    return value if copy is None else copy


def _expand(value: Any, path: YamlPath, environ: Mapping[str, str], report: _Report) -> Any:
    if isinstance(value, str) and not isinstance(value, ImplicitScalar) and "$" in value:
        expanded, errors = expand_text(value, environ, any_variable=path in SECRET_PATHS)
        for message in errors:
            report(path, message)
        return value if errors else expanded
    return value


def escaped(text: str) -> str:
    """``text`` as a file writes it to be read back exactly: every ``$`` doubled."""
    return text.replace("$", "$$")


def has_reference(text: str) -> bool:
    """Whether ``text`` holds a ``${...}`` reference (a ``$$`` is a literal ``$``, not one)."""
    return any(match.group(1) is None for match in _REFERENCE.finditer(text))


def expand_text(
    text: str, environ: Mapping[str, str], *, any_variable: bool = False
) -> tuple[str, list[str]]:
    """``text`` expanded, and a message for each reference that could not be; only variables
    the operator allowed are read, unless ``any_variable`` (a secret field's text)."""
    errors: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        if match.group(1):
            return "$"
        body, closed = match.group(2), match.group(3)
        if not closed:
            errors.append("'${' is not closed with '}' (write '$$' for a literal '$')")
            return match.group(0)
        name, has_default, default = body.partition(":-")
        if not _NAME.fullmatch(name):
            errors.append("malformed reference: use ${NAME} or ${NAME:-default} ('$$' for '$')")
            return match.group(0)
        if not (any_variable or allows(name, environ)):
            errors.append(NOT_ALLOWED.format(name=name))
            return match.group(0)
        found = environ.get(name)
        if has_default and not found:
            return default
        if found is None:
            errors.append(f"environment variable {name} is not set")
            return match.group(0)
        return found

    return _REFERENCE.sub(substitute, text), errors
