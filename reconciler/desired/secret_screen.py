"""No secret in play in a field that is not a secret, however it got there.

An allowed variable may happen to hold an API key, and a key may be pasted in as it is: either
would be planned, printed (a PR comment is not masked), sent and stored in clear. Each such
field is a Problem at its ``file:line:col`` that names the field and never shows the value;
its path is spoiled, so no later stage echoes the value either.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from reconciler.desired.envexpand import SECRET_PATHS
from reconciler.desired.loader import Document, Partial, YamlPath, format_path
from reconciler.desired.secrets_in_play import SecretScreen, secrets_in_play
from reconciler.errors import Problem

HOLDS_A_SECRET = (
    "holds the value of a secret (an API key, token or password in play); a secret may be "
    "written only in a password field, as ${NAME}"
)


def refuse_secrets(
    doc: Document, environ: Mapping[str, str], spoiled: frozenset[YamlPath]
) -> Partial:
    """A problem for each field, other than a secret one, that holds a secret in play: the
    environment's, or a value a secret field holds. ``spoiled`` paths hold text that was not
    expanded: none of them declares a secret."""
    declared = [
        value
        for path in SECRET_PATHS
        if path not in spoiled and isinstance(value := _at(doc.data, path), str)
    ]
    screen = SecretScreen(secrets_in_play(environ, declared))
    ordinary = _without(doc.data, SECRET_PATHS)
    texts: list[str] = []
    if not screen or not screen.any_holds(_texts(ordinary, texts)):
        return Partial(doc, [])
    problems, found = [], set()
    for path, text in _leaves(ordinary, ()):
        if screen.holds(text):
            where = doc.source.locate(path)
            problems.append(
                Problem(doc.file, where.line, where.column, format_path(path), HOLDS_A_SECRET)
            )
            found.add(path)
    return Partial(doc, problems, frozenset(found))


def _at(data: Any, path: YamlPath) -> Any:
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _without(data: Any, paths: frozenset[YamlPath]) -> Any:
    """``data`` with the values at ``paths`` left out (mappings along them are copied)."""
    if not isinstance(data, dict) or not paths:
        return data
    copy = dict(data)
    for key in {path[0] for path in paths} & copy.keys():
        rest = frozenset(path[1:] for path in paths if path[0] == key)
        if () in rest:
            del copy[key]
        else:
            copy[key] = _without(copy[key], rest)
    return copy


def _texts(data: Any, found: list[str]) -> list[str]:
    """Every text value in ``data``, appended to ``found`` (quicker than ``_leaves``)."""
    if isinstance(data, str):
        found.append(data)
    todo = [data] if isinstance(data, dict | list) else []
    while todo:
        item = todo.pop()
        for value in item.values() if isinstance(item, dict) else item:
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, dict | list):
                todo.append(value)
    return found


def _leaves(data: Any, path: YamlPath) -> Iterator[tuple[YamlPath, str]]:
    """Every text value in ``data``, with where it is."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _leaves(value, (*path, index))
    elif isinstance(data, str):
        yield path, data
