"""No secret in play in a field that is not a secret, however it got there.

An allowed variable may happen to hold an API key, and a key may be pasted in as it is: either
would be planned, printed (a PR comment is not masked), sent and stored in clear. Each such
field is a Problem at its ``file:line:col`` that names the field and never shows the value;
its path is spoiled, so no later stage echoes the value either. A key is screened too (an
unknown key is echoed in a message, cut short, where no redaction would find it); its problem
names the mapping that holds it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import orjson

from reconciler.desired.envexpand import SECRET_PATHS
from reconciler.desired.loader import Document, Partial, YamlPath, format_path
from reconciler.desired.secrets_in_play import SecretScreen, screen_in_play
from reconciler.errors import Problem

HOLDS_A_SECRET = (
    "holds the value of a secret (an API key, token or password in play); a secret may be "
    "written only in a password field, as ${NAME}"
)
KEY_HOLDS_A_SECRET = "a key holds the value of a secret (an API key, token or password in play)"


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
    screen = screen_in_play(environ, declared)
    ordinary = _without(doc.data, SECRET_PATHS)
    if not screen or not may_hold(screen, ordinary):
        return Partial(doc, [])
    problems, found = [], set()
    for path, text, is_key in _leaves(ordinary, ()):
        if screen.holds(text):
            where = doc.source.key_position(path) if is_key else doc.source.locate(path)
            shown, message = (path[:-1], KEY_HOLDS_A_SECRET) if is_key else (path, HOLDS_A_SECRET)
            line, column = where.line, where.column
            problems.append(Problem(doc.file, line, column, format_path(shown), message))
            found.add(path)
    return Partial(doc, problems, frozenset(found))


def may_hold(screen: SecretScreen, data: Any) -> bool:
    """Whether a key or text in ``data`` may hold a secret (``any_holds`` of them all): searched
    in its JSON, written in C, where the screen can search that, else in its texts gathered."""
    try:
        found = screen.in_json(orjson.dumps(data))
    except TypeError:  # what JSON cannot write (a key that is not text, a lone surrogate)
        found = None
    return screen.any_holds(_texts(data, [])) if found is None else found


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
    """Every key and text value in ``data``, appended to ``found`` (quicker than ``_leaves``)."""
    if isinstance(data, str):
        found.append(data)
    todo = [data] if isinstance(data, dict | list) else []
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            found += item.keys()
        for value in item.values() if isinstance(item, dict) else item:
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, dict | list):
                todo.append(value)
    return found


def _leaves(data: Any, path: YamlPath) -> Iterator[tuple[YamlPath, str, bool]]:
    """Every key and text value in ``data``, with where it is and whether it is a key."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, key), key, True
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _leaves(value, (*path, index))
    elif isinstance(data, str):
        yield path, data, False
