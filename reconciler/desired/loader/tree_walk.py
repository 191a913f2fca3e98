"""rapidyaml's tree → plain data, node by node, declining whatever the careful path must read.

The fast path's fallback and its check of flow collections (``[...]``, ``{...}``): the JSON
conversion (``fast``) cannot read some numbers rapidyaml writes (``+12``), and in flow context
the two parsers split ``:`` and fold lines differently. Anything this walk does not read
exactly as the careful path does (a tag, an anchor or alias, a duplicate or non-text key, a
merge key, deep nesting, a long scalar) raises ``Decline``; the careful path then loads the
file and reports every problem with its position.
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.desired.loader.limits import MAX_DEPTH, MAX_SCALAR_CHARS
from reconciler.desired.loader.scalars import implicit

try:
    import ryml
    from ryml import _ryml as flat
except ImportError:  # pragma: no cover - rapidyaml is a dependency; without it, careful only
    ryml = flat = None

if ryml is not None:
    MAP, SEQ, NONE, STREAM = ryml.MAP, ryml.SEQ, ryml.NONE, ryml.STREAM
    VAL, KEY, KEY_PLAIN, VAL_PLAIN = ryml.VAL, ryml.KEY, ryml.KEY_PLAIN, ryml.VAL_PLAIN
    STYLED = ryml.VAL_STYLE
    CONTAINER = ryml.MAP | ryml.SEQ
    FLOW = ryml.CONTAINER_STYLE_FLOW
    LITERAL_OR_FOLDED = ryml.VAL_LITERAL | ryml.VAL_FOLDED
    DECLINE = (
        ryml.KEYREF | ryml.VALREF | ryml.KEYANCH | ryml.VALANCH | ryml.KEYTAG | ryml.VALTAG
    ) | ryml.KEYNIL


# YAML indicators: a plain scalar can't start with one, but rapidyaml lets some through, and
# the two parsers read '?' and ':' differently in flow context.
INDICATORS = frozenset("?:,[]{}#&*!|>'\"%@`")
ODD_FIRST = INDICATORS | {"-"}
# The first characters of the scalars YAML reads as null, a boolean or a number.
MAYBE_IMPLICIT = frozenset("~nNtTfF-+.0123456789")
# In flow context the parsers split ':' differently and fold lines differently.
_FLOW_AMBIGUOUS = re.compile("[: ]")


class Decline(Exception):
    """The careful path must load this file."""


class Walk:
    """One walk over a rapidyaml tree; raises ``Decline`` at the first thing to report.

    The tree is read through rapidyaml's flat functions (``Tree_type(handle, node)`` and so
    on) given the tree's own SWIG handle: that skips the proxy object's lookups on each call.
    """

    def __init__(self, tree: Any) -> None:
        self.tree = tree.this
        self.type, self.key, self.val = flat.Tree_type, flat.Tree_key, flat.Tree_val
        self.first, self.next = flat.Tree_first_child, flat.Tree_next_sibling
        self.keys: dict[str, str] = {}  # plain text keys seen so far, checked and interned
        self.blocks = False  # whether any scalar is a block scalar ('|' or '>')

    def document(self) -> dict[str, Any]:
        root = document_root(self.tree)
        kind = self.type(self.tree, root)
        return self.mapping(root, 1, bool(kind & FLOW))

    def mapping(self, node: int, depth: int, flow: bool) -> dict[str, Any]:
        if depth > MAX_DEPTH:
            raise Decline
        tree, kind_of, key_of, val_of = self.tree, self.type, self.key, self.val
        following, keys = self.next, self.keys
        out: dict[str, Any] = {}
        child = self.first(tree, node)
        while child != NONE:
            kind = kind_of(tree, child)
            if kind & DECLINE:
                raise Decline
            try:
                key = str(key_of(tree, child), "utf-8")
            except UnicodeDecodeError:
                raise Decline from None
            key = keys.get(key) or self.text_key(kind, key)
            if flow and kind & KEY_PLAIN and " " in key:
                raise Decline  # it may have been folded from several lines
            if key in out:
                raise Decline
            if kind & CONTAINER:
                out[key] = self.container(child, kind, depth)
            else:
                out[key] = _scalar(kind, val_of(tree, child), flow)
                if kind & LITERAL_OR_FOLDED:
                    self.blocks = True
            child = following(tree, child)
        return out

    def sequence(self, node: int, depth: int, flow: bool) -> list[Any]:
        if depth > MAX_DEPTH:
            raise Decline
        tree, kind_of, val_of, following = self.tree, self.type, self.val, self.next
        out: list[Any] = []
        child = self.first(tree, node)
        while child != NONE:
            kind = kind_of(tree, child)
            if kind & DECLINE:
                raise Decline
            if kind & CONTAINER:
                if flow and kind & MAP:
                    raise Decline  # '[a: b]': the parsers split such pairs differently
                out.append(self.container(child, kind, depth))
            else:
                out.append(_scalar(kind, val_of(tree, child), flow))
                if kind & LITERAL_OR_FOLDED:
                    self.blocks = True
            child = following(tree, child)
        return out

    def container(self, node: int, kind: int, depth: int) -> Any:
        flow = bool(kind & FLOW)
        if kind & MAP:
            return self.mapping(node, depth + 1, flow)
        return self.sequence(node, depth + 1, flow)

    def text_key(self, kind: int, text: str) -> str:
        """A key not seen before: text, unless it is '<<' or plain and YAML reads it otherwise."""
        plain = bool(kind & KEY_PLAIN)
        if text == "<<" or len(text) > MAX_SCALAR_CHARS or not text:
            raise Decline
        if plain:
            if type(implicit(text)) is not str or odd_start(text) or ":" in text:
                raise Decline
            self.keys[text] = text  # a quoted key of the same text is as good
        return text


def _scalar(kind: int, raw: Any, flow: bool) -> Any:
    if raw is None:
        if not kind & STYLED:
            raise Decline
        return None if kind & VAL_PLAIN else ""
    try:
        text = str(raw, "utf-8")
    except UnicodeDecodeError:
        raise Decline from None
    if len(text) > MAX_SCALAR_CHARS or not kind & STYLED:
        raise Decline
    if not kind & VAL_PLAIN or not text:
        return text
    first = text[0]
    if flow and _FLOW_AMBIGUOUS.search(text):
        raise Decline
    if first in ODD_FIRST and odd_start(text):
        raise Decline
    return implicit(text) if first in MAYBE_IMPLICIT else text


def odd_start(text: str) -> bool:
    """Whether a plain scalar starts like YAML syntax (rapidyaml is lenient there)."""
    first = text[0]
    return first in INDICATORS or (first == "-" and text[1:2] in ("", " ", "\t"))


def document_root(handle: Any) -> int:
    """The node of the file's one document, a mapping; ``Decline`` for anything else."""
    root = flat.Tree_root_id(handle)
    kind = flat.Tree_type(handle, root)
    if kind & STREAM == STREAM:  # an explicit '---': accept exactly one document
        root = flat.Tree_first_child(handle, root)
        if root == NONE or flat.Tree_next_sibling(handle, root) != NONE:
            raise Decline
        kind = flat.Tree_type(handle, root)
    if not kind & MAP or kind & DECLINE:
        raise Decline
    return int(root)
