"""The fast path: rapidyaml's tree → plain data, for files with nothing to report.

rapidyaml parses in C++ at close to 100 MB/s but tracks no positions; walking its tree gives
the same plain data the careful path builds. Anything this path does not handle exactly as
the careful path does (a tag, an anchor or alias, a duplicate or non-text key, a merge key,
several documents, deep nesting, a long scalar, a syntax error) makes it decline, and the
careful path then loads the file and reports every problem with its position. So do the few
constructs the two parsers were seen to read differently (rapidyaml is the more lenient; see
tests/input/test_fast_path.py): tabs, directives, odd block-scalar headers, plain scalars
that start like syntax, ``:`` or spaces in plain scalars inside ``[...]`` or ``{...}``.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from typing import Any

from reconciler.desired.loader.limits import MAX_DEPTH, MAX_SCALAR_CHARS
from reconciler.desired.loader.scalars import implicit

try:
    import ryml
except ImportError:  # pragma: no cover - rapidyaml is a dependency; without it, careful only
    ryml = None

if ryml is not None:
    _MAP, _SEQ, _NONE, _STREAM = ryml.MAP, ryml.SEQ, ryml.NONE, ryml.STREAM
    _KEY_PLAIN, _VAL_PLAIN = ryml.KEY_PLAIN, ryml.VAL_PLAIN
    _STYLED = ryml.VAL_STYLE
    _CONTAINER = ryml.MAP | ryml.SEQ
    _FLOW = ryml.CONTAINER_STYLE_FLOW
    _LITERAL_OR_FOLDED = ryml.VAL_LITERAL | ryml.VAL_FOLDED
    _DECLINE = (
        ryml.KEYREF | ryml.VALREF | ryml.KEYANCH | ryml.VALANCH | ryml.KEYTAG | ryml.VALTAG
    ) | ryml.KEYNIL


# YAML indicators: a plain scalar can't start with one, but rapidyaml lets some through, and
# the two parsers read '?' and ':' differently in flow context.
_INDICATORS = frozenset("?:,[]{}#&*!|>'\"%@`")
_ODD_FIRST = _INDICATORS | {"-"}
# The first characters of the scalars YAML reads as null, a boolean or a number.
_MAYBE_IMPLICIT = frozenset("~nNtTfF-+.0123456789")
# In flow context the parsers split ':' differently and fold lines differently.
_FLOW_AMBIGUOUS = re.compile("[: ]")
_BLOCK = re.compile(r"(?:^|[ \t])[|>]([^\n]*)", re.MULTILINE)
_HEADER = re.compile(r"(?:[1-9][+-]?|[+-][1-9]?)?(?:[ \t]+#.*|[ \t]*)")
_AWKWARD_CHARACTERS = re.compile("[\t\x85\u2028\u2029]")
# \N \L \P \_ and escapes of surrogates (U+D800 to U+DFFF), which only the careful path refuses.
_AWKWARD_ESCAPES = re.compile(r"\\(?:[NLP_]|u[dD][89a-fA-F]|U0000[dD][89a-fA-F])")


class _Decline(Exception):
    """The careful path must load this file."""


def fast_data(text: str, raw: bytes | None = None) -> dict[str, Any] | None:
    """The plain data of checked ``text`` (``raw``: the same as UTF-8), or None to decline."""
    if ryml is None or _awkward(text):
        return None
    try:
        with _quiet_stderr():
            tree = ryml.parse_in_arena(raw if raw is not None else text.encode("utf-8"))
    except Exception:  # rapidyaml raises its own exception types for syntax errors
        return None
    try:
        walk = _Walk(tree)
        data = walk.document()
    except _Decline:
        return None
    if walk.blocks and not _plain_block_headers(text):
        return None
    return data


def _plain_block_headers(text: str) -> bool:
    """Whether every ``|`` or ``>`` after a space is followed by a header both parsers read alike.

    rapidyaml accepts headers such as ``|1a``; anything unusual, even in plain text that merely
    contains `` | ``, is left to the careful path.
    """
    return all(_HEADER.fullmatch(rest) for rest in _BLOCK.findall(text))


def _awkward(text: str) -> bool:
    """Directives, tabs, Unicode line breaks: rare, and left to the careful path."""
    return bool(
        text.startswith("%")
        or "\n%" in text
        or _AWKWARD_CHARACTERS.search(text)
        or ("\\" in text and _AWKWARD_ESCAPES.search(text))
    )


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """rapidyaml prints its errors on file descriptor 2 before raising: keep them off."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _Walk:
    """One walk over a rapidyaml tree; raises ``_Decline`` at the first thing to report.

    The tree is read through rapidyaml's flat functions (``Tree_type(tree, node)`` and so on)
    rather than its methods: one call less per node, on the hot loop of every load.
    """

    def __init__(self, tree: Any) -> None:
        self.tree = tree
        flat = getattr(ryml, "_ryml", None)
        if flat is not None and hasattr(flat, "Tree_next_sibling"):
            self.type, self.key, self.val = flat.Tree_type, flat.Tree_key, flat.Tree_val
            self.first, self.next = flat.Tree_first_child, flat.Tree_next_sibling
        else:  # pragma: no cover - another build of the bindings
            self.type, self.key, self.val = (_unbound(tree, n) for n in ("type", "key", "val"))
            self.first, self.next = (_unbound(tree, n) for n in ("first_child", "next_sibling"))
        self.keys: dict[str, str] = {}  # plain text keys seen so far, checked and interned
        self.blocks = False  # whether any scalar is a block scalar ('|' or '>')

    def document(self) -> dict[str, Any]:
        tree, root = self.tree, self.tree.root_id()
        kind = self.type(tree, root)
        if kind & _STREAM == _STREAM:  # an explicit '---': accept exactly one document
            root = self.first(tree, root)
            if root == _NONE or self.next(tree, root) != _NONE:
                raise _Decline
            kind = self.type(tree, root)
        if not kind & _MAP or kind & _DECLINE:
            raise _Decline
        return self.mapping(root, 1, bool(kind & _FLOW))

    def mapping(self, node: int, depth: int, flow: bool) -> dict[str, Any]:
        if depth > MAX_DEPTH:
            raise _Decline
        tree, kind_of, key_of, val_of = self.tree, self.type, self.key, self.val
        following, keys = self.next, self.keys
        out: dict[str, Any] = {}
        child = self.first(tree, node)
        while child != _NONE:
            kind = kind_of(tree, child)
            if kind & _DECLINE:
                raise _Decline
            try:
                key = str(key_of(tree, child), "utf-8")
            except UnicodeDecodeError:
                raise _Decline from None
            key = keys.get(key) or self.text_key(kind, key)
            if flow and kind & _KEY_PLAIN and " " in key:
                raise _Decline  # it may have been folded from several lines
            if key in out:
                raise _Decline
            if kind & _CONTAINER:
                out[key] = self.container(child, kind, depth)
            else:
                out[key] = _scalar(kind, val_of(tree, child), flow)
                if kind & _LITERAL_OR_FOLDED:
                    self.blocks = True
            child = following(tree, child)
        return out

    def sequence(self, node: int, depth: int, flow: bool) -> list[Any]:
        if depth > MAX_DEPTH:
            raise _Decline
        tree, kind_of, val_of, following = self.tree, self.type, self.val, self.next
        out: list[Any] = []
        child = self.first(tree, node)
        while child != _NONE:
            kind = kind_of(tree, child)
            if kind & _DECLINE:
                raise _Decline
            if kind & _CONTAINER:
                if flow and kind & _MAP:
                    raise _Decline  # '[a: b]': the parsers split such pairs differently
                out.append(self.container(child, kind, depth))
            else:
                out.append(_scalar(kind, val_of(tree, child), flow))
                if kind & _LITERAL_OR_FOLDED:
                    self.blocks = True
            child = following(tree, child)
        return out

    def container(self, node: int, kind: int, depth: int) -> Any:
        flow = bool(kind & _FLOW)
        if kind & _MAP:
            return self.mapping(node, depth + 1, flow)
        return self.sequence(node, depth + 1, flow)

    def text_key(self, kind: int, text: str) -> str:
        """A key not seen before: text, unless it is '<<' or plain and YAML reads it otherwise."""
        plain = bool(kind & _KEY_PLAIN)
        if text == "<<" or len(text) > MAX_SCALAR_CHARS or not text:
            raise _Decline
        if plain:
            if type(implicit(text)) is not str or _odd_start(text) or ":" in text:
                raise _Decline
            self.keys[text] = text  # a quoted key of the same text is as good
        return text


def _scalar(kind: int, raw: Any, flow: bool) -> Any:
    if raw is None:
        if not kind & _STYLED:
            raise _Decline
        return None if kind & _VAL_PLAIN else ""
    try:
        text = str(raw, "utf-8")
    except UnicodeDecodeError:
        raise _Decline from None
    if len(text) > MAX_SCALAR_CHARS or not kind & _STYLED:
        raise _Decline
    if not kind & _VAL_PLAIN or not text:
        return text
    first = text[0]
    if flow and _FLOW_AMBIGUOUS.search(text):
        raise _Decline
    if first in _ODD_FIRST and _odd_start(text):
        raise _Decline
    return implicit(text) if first in _MAYBE_IMPLICIT else text


def _odd_start(text: str) -> bool:
    """Whether a plain scalar starts like YAML syntax (rapidyaml is lenient there)."""
    first = text[0]
    return first in _INDICATORS or (first == "-" and text[1:2] in ("", " ", "\t"))


def _unbound(tree: Any, name: str) -> Any:
    method = getattr(tree, name)
    return lambda _tree, node: method(node)
