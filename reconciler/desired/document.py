"""The desired-state file: YAML → environment → models → cross-checks, every problem at once.

Each stage runs as far as it can; a value an earlier stage could not use (an unset variable,
an unknown tag) is not reported again by a later one. Input values are echoed in messages
only when short, and never for credentials or passwords.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from reconciler.desired.cross_fields import fiscal_ids, fiscal_ids_of_fields
from reconciler.desired.envexpand import expand_partial
from reconciler.desired.loader import (
    Document,
    ImplicitScalar,
    LongNumber,
    SourceMap,
    YamlPath,
    format_path,
    load_yaml_partial,
    shorten,
)
from reconciler.desired.models import DECIMAL, SECRET_FIELDS, DesiredState, fiscal_id_problems
from reconciler.desired.secret_screen import refuse_secrets
from reconciler.errors import Problem, ValidationFailed

_SECRET_KEYS = frozenset(part for field in SECRET_FIELDS for part in field.split("."))


@dataclass(frozen=True)
class Desired:
    """A valid desired state, and where each of its values was written."""

    file: str
    # Left out of the repr: with thousands of clients it is slow (asyncio.run shows its result).
    state: DesiredState = dataclasses.field(repr=False)
    source: SourceMap = dataclasses.field(repr=False)


def load_desired(path: Path, environ: Mapping[str, str]) -> Desired:
    """Load, expand, refuse secrets outside secret fields, validate and cross-check; raise
    ``ValidationFailed`` with every problem. ``environ`` is the process environment: it says
    which variables the file may read and which secrets are in play."""
    loaded = load_yaml_partial(path)
    if loaded.document is None:
        raise ValidationFailed(loaded.problems)
    expanded = expand_partial(loaded.document, environ)
    document = expanded.document or loaded.document
    refused = refuse_secrets(document, environ, loaded.spoiled | expanded.spoiled)
    spoiled = loaded.spoiled | expanded.spoiled | refused.spoiled
    state, model_problems = _validate(document)
    model_problems += _fiscal_problems(document, state, spoiled)
    cross_problems = _cross_checks(document, spoiled)
    repeats_found = any(where[:2] == ("sequences", "register") for where, _ in cross_problems)
    problems = [*loaded.problems, *expanded.problems, *refused.problems]
    for where, problem in [*model_problems, *cross_problems]:
        if any(where[:end] in spoiled for end in range(len(where) + 1)):
            continue
        if repeats_found and where == ("sequences", "register"):
            continue
        problems.append(problem)
    if problems or state is None:
        raise ValidationFailed(problems)
    return Desired(document.file, state, document.source)


def problem_at(desired: Desired, path: YamlPath, message: str) -> Problem:
    """A problem found later (e.g. against known state), pointing at ``path`` in the file."""
    where = desired.source.locate(path)
    return Problem(desired.file, where.line, where.column, format_path(path), message)


def _at(document: Document, path: YamlPath, message: str, key: bool = False) -> Problem:
    source = document.source
    where = source.key_position(path) if key else source.locate(path)
    return Problem(document.file, where.line, where.column, format_path(path), message)


def _validate(document: Document) -> tuple[DesiredState | None, list[tuple[YamlPath, Problem]]]:
    try:
        return DesiredState.model_validate(document.data), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    return None, [_model_problem(document, error) for error in errors]


def _fiscal_problems(
    document: Document, state: DesiredState | None, spoiled: frozenset[YamlPath]
) -> list[tuple[YamlPath, Problem]]:
    """Fiscal-id check digits, over the valid state or, when the file has other problems, over
    each fiscal id and the country it depends on, where those are valid on their own."""
    found = fiscal_ids(state) if state is not None else fiscal_ids_of_fields(document.data, spoiled)
    return [(where, _at(document, where, message)) for where, message in fiscal_id_problems(found)]


def _model_problem(document: Document, error: ErrorDetails) -> tuple[YamlPath, Problem]:
    path: YamlPath = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden" and path:
        key = str(path[-1])
        import difflib  # only to suggest a field for an unknown one

        close = difflib.get_close_matches(key, _fields_at(path[:-1]), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return path, _at(document, path, f"unknown field '{shorten(key)}'{hint}", key=True)
    if kind == "missing" and path:
        message = f"missing required field '{path[-1]}'"
        return path, _at(document, path[:-1], message)
    secret = any(part in _SECRET_KEYS for part in path)
    return path, _at(document, path, _message(error, secret))


def _message(error: ErrorDetails, secret: bool) -> str:
    """A human message for a pydantic error; the input is shown unless it may be a secret."""
    kind, context, given = error["type"], error.get("ctx") or {}, error.get("input")
    got = "" if secret else f", got {_describe(given)}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number{got}"
    if kind in ("string_type", "string_unicode"):
        if isinstance(given, dict | list):
            return "must be text, not a mapping or a list"
        return f"expected text{got}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping{got}"
    if kind in ("tuple_type", "list_type"):
        return f"expected a list{got}"
    if kind == "literal_error":
        return f"must be {context.get('expected')}{got}"
    if kind in _BOUNDS:
        return f"must be {_BOUNDS[kind]} {next(iter(context.values()), '?')}{got}"
    if kind in ("too_long", "string_too_long"):
        length = len(given) if isinstance(given, str) else context.get("actual_length")
        return f"is too long ({length} characters; at most {context.get('max_length')})"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    if kind in ("value_error", "assertion_error"):
        return error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return error["msg"]


_BOUNDS = {
    "greater_than": "greater than",
    "greater_than_equal": "at least",
    "less_than": "less than",
    "less_than_equal": "at most",
}


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "nothing"
    return f"'{shorten(str(value))}'"


def _fields_at(path: YamlPath) -> list[str]:
    """The YAML key names of the model found at ``path`` (for suggesting a misspelled key)."""
    model: type[BaseModel] | None = DesiredState
    for part in path:
        if isinstance(part, int):
            continue
        if model is None:
            return []
        fields = {info.alias or name: info for name, info in model.model_fields.items()}
        found = fields.get(part)
        model = _model_in(found.annotation) if found is not None else None
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if get_origin(annotation) is None and isinstance(annotation, type):
        return annotation if issubclass(annotation, BaseModel) else None
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def _cross_checks(
    document: Document, spoiled: frozenset[YamlPath]
) -> list[tuple[YamlPath, Problem]]:
    """Repeated client ids, codes and names, repeated registered sequences, repeated tax and
    item ids and names, and a second default tax."""
    data = document.data if isinstance(document.data, dict) else {}
    problems: list[tuple[YamlPath, Problem]] = []

    def repeats(items: Any, base: YamlPath, field: str | None, what: str) -> None:
        if not isinstance(items, list):
            return
        if field and _all_distinct(items, field):
            return  # the usual list: no two items hold the same value, so none repeats
        normalize = _as_text if field else _as_sequence
        normalize = _as_id if field == "id" else normalize

        def path_of(index: int) -> YamlPath:
            return (*base, index, field) if field else (*base, index)

        first: dict[Any, int] = {}
        for index, item in enumerate(items):
            if field:  # an item that is no mapping holds no field: the models report it
                value = normalize(item.get(field)) if isinstance(item, dict) else None
            else:
                value = normalize(item)
            if value is None or (spoiled and path_of(index) in spoiled):
                continue
            if value in first:
                path = path_of(index)
                line = document.source.locate(path_of(first[value])).line
                message = f"{what} {_show(value)} is listed more than once (first at line {line})"
                problems.append((path, _at(document, path, message)))
            else:
                first[value] = index

    for field in ("id", "code", "name"):
        repeats(data.get("clients"), ("clients",), field, f"client {field}")
    sequences = data.get("sequences")
    if isinstance(sequences, dict):
        repeats(sequences.get("register"), ("sequences", "register"), None, "sequence")
    for kind, noun in (("taxes", "tax"), ("items", "item")):
        for field in ("id", "name"):
            repeats(data.get(kind), (kind,), field, f"{noun} {field}")
    problems += _second_defaults(document, spoiled)
    return problems


def _all_distinct(items: list[Any], field: str) -> bool:
    """Whether every item is a mapping and no two hold equal values under ``field`` (told by a
    set, in C): then no two normalize to the same value either (``_as_id`` and ``_as_text``
    give distinct values for distinct ones, or None, which is never a repeat)."""
    if not all(type(item) is dict for item in items):
        return False
    values = [item.get(field) for item in items]
    try:
        return len(set(values)) == len(values)
    except TypeError:  # a value that can't be hashed (a list written as a code)
        return False


def _second_defaults(
    document: Document, spoiled: frozenset[YamlPath]
) -> list[tuple[YamlPath, Problem]]:
    """An account has one default tax: every tax after the first saying ``default_tax: 1``."""
    data = document.data if isinstance(document.data, dict) else {}
    taxes = data.get("taxes")
    defaults = [
        index
        for index, tax in enumerate(taxes if isinstance(taxes, list) else [])
        if isinstance(tax, dict)
        and str(getattr(tax.get("default_tax"), "value", tax.get("default_tax"))) in ("1", "True")
        and ("taxes", index, "default_tax") not in spoiled
    ]
    found: list[tuple[YamlPath, Problem]] = []
    for index in defaults[1:]:
        path: YamlPath = ("taxes", index, "default_tax")
        line = document.source.locate(("taxes", defaults[0], "default_tax")).line
        message = f"only one tax can be the default (another is, at line {line})"
        found.append((path, _at(document, path, message)))
    return found


def _as_id(value: Any) -> int | None:
    """An id as the models read it; a value they refuse is reported there, not here."""
    if isinstance(value, str) and DECIMAL.fullmatch(value):
        return int(value)
    return None


def _as_sequence(value: Any) -> int | str | None:
    """An unquoted number is a sequence id, quoted text a serie: they never collide."""
    if isinstance(value, ImplicitScalar):
        return _as_id(value)
    if isinstance(value, LongNumber):  # an id too long to be one: the models report it
        return None
    return f"serie {value.strip()!r}" if isinstance(value, str) and value.strip() else None


def _as_text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _show(value: Any) -> str:
    if isinstance(value, int) or str(value).startswith("serie "):
        return str(value)
    return f"'{shorten(str(value))}'"
