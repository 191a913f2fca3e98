"""The fast path: rapidyaml's tree → plain data, for files with nothing to report.

rapidyaml parses in C++ at close to 100 MB/s but tracks no positions. The tree becomes Python
data in C as well: rapidyaml writes it as JSON and orjson reads that back (``json`` where orjson
refuses it; both give the same data), the JSON text freed at once. JSON keeps less than YAML
says, so the conversion then reads from the tree only what JSON cannot tell:

- every node's type is read once (one call each, in C through ``map``, into an array of 8
  bytes a node); one pass over it finds what the careful path must see (a tag, an anchor or
  alias, a null key, a value with no style), flow collections (checked node by node,
  ``tree_walk``) and block scalars (their headers checked in the text);
- one pass over the data, which rapidyaml lays out in document order, numbers every value
  with its node, turns whole numbers into their text (``ImplicitScalar``), and looks up in the
  tree the few values JSON reads ambiguously: text that YAML reads as null, a boolean or a
  number when unquoted (``~``, ``True``, ``0213456789``; not decimal digits without a leading
  0, which rapidyaml writes as a JSON number when unquoted, so as text only when quoted),
  numbers rapidyaml rewrites (``1.`` comes out as ``1.0``) and those orjson reads as floats
  (a whole number past 64 bits); a count of the nodes at the end catches duplicate keys,
  which JSON merges.

What JSON cannot hold at all (``+12``, a control character) is left to the node-by-node walk,
and anything neither reads exactly as the careful path does makes the fast path decline; the
careful path then loads the file and reports every problem with its position. So do the few
constructs the two parsers were seen to read differently (rapidyaml is the more lenient; see
tests/input/test_fast_path.py): tabs, directives, odd block-scalar headers, a block scalar in a
file that does not end with a line break, plain scalars
that start like syntax, ``:`` or spaces in plain scalars inside ``[...]`` or ``{...}``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from array import array
from collections.abc import Callable, Iterator
from itertools import repeat
from typing import Any

import orjson

from reconciler.desired.loader.lanes import Lanes
from reconciler.desired.loader.limits import MAX_DEPTH, MAX_SCALAR_CHARS
from reconciler.desired.loader.scalars import (
    MAX_DIGITS,
    READS_OTHERWISE,
    ImplicitScalar,
    implicit,
)
from reconciler.desired.loader.tree_walk import (
    CONTAINER,
    DECLINE,
    FLOW,
    KEY,
    KEY_PLAIN,
    LITERAL_OR_FOLDED,
    MAP,
    MAYBE_IMPLICIT,
    NONE,
    ODD_FIRST,
    SEQ,
    STYLED,
    VAL,
    VAL_PLAIN,
    Decline,
    Walk,
    document_root,
    odd_start,
)

try:
    import ryml
    from ryml import _ryml as flat
except ImportError:  # pragma: no cover - rapidyaml is a dependency; without it, careful only
    ryml = flat = None

_BLOCK = re.compile(r"(?:^|[ \t])[|>]([^\n]*)", re.MULTILINE)
_HEADER = re.compile(r"(?:[1-9][+-]?|[+-][1-9]?)?(?:[ \t]+#.*|[ \t]*)")
_AWKWARD_CHARACTERS = ("\t", "\x85", "\u2028", "\u2029")
# An explicit key (``? key``): rapidyaml reads some that YAML refuses (``? a`` then ``:a``).
_EXPLICIT_KEY = re.compile(r"(?:^|[ \n\[{,])\?(?:[ \n]|$)")
# \N \L \P \_ and escapes of surrogates (U+D800 to U+DFFF), which only the careful path refuses.
_AWKWARD_ESCAPES = re.compile(r"\\(?:[NLP_]|u[dD][89a-fA-F]|U0000[dD][89a-fA-F])")
# The first characters of text whose reading depends on whether it was quoted.
_LOOK_CLOSER = MAYBE_IMPLICIT | ODD_FIRST
_TRUE, _FALSE = ImplicitScalar("true"), ImplicitScalar("false")
# The flags read off every node at once: what sends a file down the careful path, and a value's
# style (a value with none is the set's VAL alone).
_SEEN = VAL | STYLED | DECLINE | FLOW | LITERAL_OR_FOLDED


class Unreadable(Exception):
    """JSON cannot hold what rapidyaml wrote: the node-by-node walk reads this tree."""


class _Float(str):
    """A number JSON read as a float: its text as rapidyaml wrote it, to be read from the tree."""

    __slots__ = ()


def fast_data(text: str, raw: bytes | None = None) -> dict[str, Any] | None:
    """The plain data of checked ``text`` (``raw``: the same as UTF-8), or None to decline."""
    if ryml is None or _awkward(text):
        return None
    try:
        with _quiet_stderr():
            tree = parse_tree(raw if raw is not None else text.encode("utf-8"))
    except Exception:  # rapidyaml raises its own exception types for syntax errors
        return None
    try:
        try:
            return Conversion(tree, text).data()
        except Unreadable:
            walk = Walk(tree)
            data = walk.document()
            if walk.blocks and not _blocks_read_alike(text):
                return None
            return data
    except Decline:
        return None


class Conversion:
    """One conversion of a rapidyaml tree through JSON, with the checks the walk would make."""

    def __init__(
        self, tree: Any, text: str, read: Callable[[bytearray], Any] | None = None
    ) -> None:
        self.tree, self.handle, self.text = tree, tree.this, text
        self.read = read or read_json  # ``json_data``: the same data through ``json`` alone
        size = flat.Tree_size(self.handle)
        # Every node's type, 8 bytes each (a list would hold an int object per node).
        self.types = array("Q", map(flat.Tree_type, repeat(self.handle, size), range(size)))
        # Values (and keys) whose reading needs their node: (node, holder, key or index).
        self.values: list[tuple[int, Any, Any]] = []
        self.keys: list[tuple[int, str]] = []
        self.plain_keys: set[str] = set()  # keys read the same quoted or not, checked once

    def data(self) -> dict[str, Any]:
        # The flags of every node at once: what sends the file down the careful path, and
        # whether a value has no style (its flags of _SEEN are VAL alone).
        lanes = Lanes(self.types)
        if lanes.any(DECLINE):
            raise Decline
        if lanes.holds(_SEEN, VAL):
            raise Decline  # a value with no style: rapidyaml's reading is unclear
        root = document_root(self.handle)
        if lanes.any(FLOW):
            self._check_flow(lanes)
        if lanes.any(LITERAL_OR_FOLDED) and not _blocks_read_alike(self.text):
            raise Decline
        del lanes  # as large as the types: freed before the JSON is written
        try:
            with _quiet_stderr():
                written = emit_json(self.tree, root)
        except Exception:  # rapidyaml's own types: a tree deeper than its emitter goes
            raise Decline from None
        data = self.read(written)
        del written  # as large as the file or more: freed before the data is walked
        if type(data) is not dict:
            raise Decline
        try:
            end = self._container(data, root, 1)
        except IndexError:
            raise Decline from None
        if end != len(self.types):
            raise Decline  # fewer values than nodes: a duplicate key, merged by JSON
        self._read_keys()
        self._read_values()
        return data

    def _check_flow(self, lanes: Lanes) -> None:
        """Walk each outermost flow collection node by node: the walk declines what the
        parsers read differently there."""
        types, walk = self.types, Walk(self.tree)
        for node in lanes.flagged(FLOW):
            parent = flat.Tree_parent(self.handle, node)
            if parent == NONE or not types[parent] & FLOW:
                walk.container(node, types[node], 1)

    def _container(self, data: Any, node: int, depth: int) -> int:
        """Check the mapping or sequence ``data`` read from ``node``; the node after its last."""
        mapping = type(data) is dict
        if depth > MAX_DEPTH or not self.types[node] & (MAP if mapping else SEQ):
            raise Decline
        plain_keys, note = self.plain_keys, self.values.append
        check_keys = mapping and not plain_keys.issuperset(data)
        items: Any = data.items() if mapping else enumerate(data)
        node += 1
        for at, value in items:
            if check_keys and at not in plain_keys:
                self._check_key(node, at)
            kind = type(value)
            if kind is str:
                if not value:
                    pass
                elif value[0] in _LOOK_CLOSER:
                    # Text that may read otherwise unquoted (null, a boolean, a number, syntax);
                    # the pattern may say yes too often, its node then says what it is.
                    if len(value) > MAX_SCALAR_CHARS:
                        raise Decline
                    if value.isdigit() and value.isascii():
                        # Decimal digits alone (a fiscal id, a phone number). rapidyaml writes
                        # a plain scalar of them as a JSON number unless it starts with 0
                        # (``Emitter::_json_writev``): as text without one, it was quoted.
                        if value[0] == "0":
                            note((node, data, at))
                    elif READS_OTHERWISE.fullmatch(value) is not None or odd_start(value):
                        note((node, data, at))
                elif len(value) > MAX_SCALAR_CHARS:
                    raise Decline
            elif kind is int:
                # orjson's: the text JSON wrote, but for 0, which may have been written -0.
                if value:
                    data[at] = ImplicitScalar(value)
                else:
                    note((node, data, at))
            elif kind is dict or kind is list:
                node = self._container(value, node, depth + 1)
                continue
            elif kind is bool:
                data[at] = _TRUE if value else _FALSE
            elif kind is float or kind is _Float:
                note((node, data, at))
            node += 1
        return node

    def _check_key(self, node: int, key: str) -> None:
        """A key read the same quoted or not is remembered; any other is checked at its node."""
        if key == "<<" or not key or len(key) > MAX_SCALAR_CHARS:
            raise Decline
        if type(implicit(key)) is str and not odd_start(key) and ":" not in key:
            self.plain_keys.add(key)
        else:
            self.keys.append((node, key))

    def _read_keys(self) -> None:
        """Keys that YAML reads otherwise when plain (``42``, ``a: b``) must have been quoted."""
        for node, key in self.keys:
            kind = self.types[node]
            if not kind & KEY or kind & KEY_PLAIN or _text(flat.Tree_key(self.handle, node)) != key:
                raise Decline

    def _read_values(self) -> None:
        """Each ambiguous value as its node says: YAML's reading of it if plain, else its text."""
        for node, holder, at in self.values:
            kind = self.types[node]
            if not kind & VAL or kind & CONTAINER:
                raise Decline
            text = _text(flat.Tree_val(self.handle, node))
            value = holder[at]
            if type(value) is not str:  # a number: JSON holds it only from a plain scalar
                if not kind & VAL_PLAIN or text is None:
                    raise Decline
                holder[at] = _number(text, value)
                continue
            if not kind & VAL_PLAIN:
                if text != value:
                    raise Decline
                continue
            if not text or odd_start(text):
                raise Decline
            if text != value:
                raise Decline
            holder[at] = implicit(text)


def parse_tree(data: bytes) -> Any:
    """rapidyaml's tree of UTF-8 ``data``, its nodes reserved up front: about one a line in
    block style (growing would double them, each some 140 bytes), never more than one per 16
    bytes (a file of blank lines reserves no more than one of short values would use)."""
    tree = ryml.Tree()
    lines = data.count(b"\n")
    tree.reserve(min(lines + lines // 8, len(data) // 16) + 16)
    return ryml.parse_in_arena(data, tree)


def emit_json(tree: Any, root: int) -> bytearray:
    """The JSON of ``tree`` from ``root``, written into a buffer of its exact size (rapidyaml's
    own ``emit_json`` holds a copy beside the text it returns)."""
    written = bytearray(ryml.compute_json_length(tree, root))
    failed, _ = flat.emit_json_to_substr(tree, root, written)
    if failed:  # pragma: no cover - the length was computed for this very tree
        raise Decline
    return written


def read_json(written: bytearray) -> Any:
    """The JSON rapidyaml wrote, as plain data: by orjson, else (what orjson refuses: NaN,
    a number past a double, a lone surrogate) by ``json``. Either way a whole number becomes
    its text (``ImplicitScalar``: ``_integer``, or from orjson's ``int`` in ``_container``) and
    a float is read from its node, so the two give the same data (tests/input/test_json_route.py).
    """
    try:
        return orjson.loads(written)
    except orjson.JSONDecodeError:
        return json_data(written)


def json_data(written: bytearray) -> Any:
    """The JSON rapidyaml wrote, read by ``json``: numbers kept as their text."""
    try:
        return json.loads(written, parse_int=_integer, parse_float=_Float)
    except (ValueError, RecursionError):
        raise Unreadable from None


def _number(text: str, value: Any) -> Any:
    """A number JSON read (orjson's ``int`` 0 or ``float``, ``json``'s ``_Float``) as its node's
    ``text`` reads: what ``json`` with ``_integer`` and ``_Float`` makes of it."""
    read = implicit(text)
    if type(value) is int:  # 0, written 0 or -0
        if text not in ("0", "-0"):
            raise Decline
        return ImplicitScalar(text)
    if not isinstance(read, ImplicitScalar) or type(read.value) is bool:
        raise Decline
    number = float(value)
    if type(read.value) is int:
        # A whole number past 64 bits, which orjson reads as a float.
        if type(value) is not float or float(read.value) != number:
            raise Decline
        return read
    if not _same_float(read.value, number):
        raise Decline
    return read


def _integer(text: str) -> ImplicitScalar | str | None:
    """A whole number as JSON writes it (``-?(0|[1-9][0-9]*)``): what ``implicit`` reads."""
    return ImplicitScalar(text) if len(text) <= MAX_DIGITS else implicit(text)


def _text(raw: Any) -> str | None:
    if raw is None:
        return None
    try:
        return str(raw, "utf-8")
    except UnicodeDecodeError:
        raise Decline from None


def _same_float(one: float, other: float) -> bool:
    return one == other or (one != one and other != other)


def _blocks_read_alike(text: str) -> bool:
    """Whether the file's block scalars read alike on both paths: their headers are plain and
    the file ends with a line break (rapidyaml keeps a clipped block's last line break at the
    end of a file without one; YAML drops it)."""
    return text.endswith("\n") and _plain_block_headers(text)


def _plain_block_headers(text: str) -> bool:
    """Whether every ``|`` or ``>`` after a space is followed by a header both parsers read alike.

    rapidyaml accepts headers such as ``|1a``; anything unusual, even in plain text that merely
    contains `` | ``, is left to the careful path.
    """
    return all(_HEADER.fullmatch(rest) for rest in _BLOCK.findall(text))


def _awkward(text: str) -> bool:
    """Directives, explicit keys, tabs, Unicode line breaks: rare, and left to the careful
    path."""
    return bool(
        text.startswith("%")
        or "\n%" in text
        or ("?" in text and _EXPLICIT_KEY.search(text))
        or any(character in text for character in _AWKWARD_CHARACTERS)
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
