"""The few positions a plan shows, found without placing every value of a big file.

A plan points each call at the YAML that declared it: a client's list item, the ``account``
mapping, a ``sequences`` entry. Placing every value (``events.locate_all``) costs about a
second per thousand clients; this outline finds those positions for a block-style file that
the fast path loaded, in two ways:

- the items of a top-level list of mappings (``clients``) by one scan of its lines, each item
  checked against the data (it must start with the item's first key, or ``{``);
- any value or key inside one of those items (where a validation error points) by the careful
  parser run on that item's lines alone, so a problem in a big file is placed for the cost of
  its item, not of the file;
- anything else under a small top-level section by the careful parser run on that section
  alone, its data checked equal to the file's.

It is made only for text the fast path loaded: that has no quoted scalar spanning lines, the
one way a line inside a value could look like the start of a list item. Where the layout is
anything else (flow style at the top, a key or item the scan can't place,
a check that fails) ``locate`` answers None and the caller places the whole file instead; a
property test (tests/input/test_outline.py) holds the two to the same answers.
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.desired.loader.source import Spots, YamlPath

# A top-level key line: plain, single- or double-quoted text, then ':' and a space or the end.
# Patterns start with a newline, not '^': a literal first character is searched for fast.
_TOP_KEY = re.compile(
    r"""\n(?:"(?P<dq>[^"\\\n]*)"|'(?P<sq>[^'\n]*)'|(?P<plain>[^\s#'"{}\[\]&*!|>%@`?:,-][^\n:#]*?))"""
    r"""[ \t]*:(?=[ \t\r\n])""",
)
_CONTENT = re.compile(r"^([ ]*)(?=[^ \r\n#])", re.MULTILINE)
_SMALL_SECTION = 64 * 1024
"""Most characters of a section the careful parser reads alone."""

Spot = tuple[int, int]


class Outline:
    """Positions of top-level sections and list items of checked text whose data is ``data``.

    It keeps the text (kept anyway, to place the whole file if need be) and of the data only
    what its checks need: the top-level keys, the first key of each item of a list of mappings,
    and the other top-level values, so the loaded data can be freed once validated.
    """

    def __init__(self, text: str, data: dict[str, Any], file: str) -> None:
        self._text, self._file = text, file
        self._keys = list(data)
        self._first_keys: dict[str, list[str]] = {}
        self._values: dict[str, Any] = {}
        for key, value in data.items():
            if isinstance(value, list) and value and all(isinstance(i, dict) for i in value):
                self._first_keys[key] = [next(iter(item), "") for item in value]
            else:
                self._values[key] = value
        self._sections: dict[str, tuple[int, int, int]] | None = None
        self._items: dict[str, list[Spot] | None] = {}
        self._offsets: dict[str, list[int]] = {}  # where each item's first key is written
        self._inside: dict[tuple[str, int], tuple[Spots, Spots] | None] = {}
        self._parsed: dict[str, dict[YamlPath, Spot] | None] = {}

    def locate(self, path: YamlPath) -> Spot | None:
        """Where the value at ``path`` was written (1-based line and column), or None."""
        if len(path) == 2:
            # A list item already placed: the look-up a plan makes for each of its calls.
            key, index = path
            items = self._items.get(key) if type(key) is str else None
            if items is not None and type(index) is int and 0 <= index < len(items):
                return items[index]
        if not path or not isinstance(path[0], str):
            return None
        sections = self._top_sections()
        if sections is None or path[0] not in sections:
            return None
        key = path[0]
        if len(path) >= 2 and isinstance(path[1], int):
            items = self._item_spots(key, sections[key])
            if items is not None:
                if not 0 <= path[1] < len(items):
                    return None
                if len(path) == 2:
                    return items[path[1]]
                inside = self._inside_item(key, path[1], sections[key][2])
                if inside is None:
                    return None
                # The nearest placed ancestor, as the whole file's map answers; the item
                # itself is always placed.
                for end in range(len(path), 2, -1):
                    if path[:end] in inside[0]:
                        return inside[0][path[:end]]
                return items[path[1]]
        if key not in self._parsed:
            self._parsed[key] = self._parse_section(key, sections[key])
        spots = self._parsed[key]
        return spots.get(path) if spots is not None else None

    def locate_key(self, path: YamlPath) -> Spot | None:
        """Where the key of ``path`` (inside a list item) was written, or None."""
        if len(path) < 3 or not isinstance(path[0], str) or not isinstance(path[1], int):
            return None
        sections = self._top_sections()
        if sections is None or path[0] not in sections:
            return None
        items = self._item_spots(path[0], sections[path[0]])
        if items is None or not 0 <= path[1] < len(items):
            return None
        inside = self._inside_item(path[0], path[1], sections[path[0]][2])
        return inside[1].get(path) if inside is not None else None

    def _item_spots(self, key: str, section: tuple[int, int, int]) -> list[Spot] | None:
        if key not in self._items:
            self._items[key] = self._scan_items(key, section)
        return self._items[key]

    def _inside_item(self, key: str, index: int, section_end: int) -> tuple[Spots, Spots] | None:
        """Every position inside item ``index`` of the list under ``key`` (values, keys), from
        the careful parser run on that item's lines alone (to the next item's, or the section's
        end), under a key of its own."""
        if (key, index) in self._inside:
            return self._inside[(key, index)]
        from reconciler.desired.loader.events import build

        found = None
        items, offsets = self._items[key], self._offsets[key]
        assert items is not None
        line, column = items[index]
        start = offsets[index] - column + 1
        end = section_end
        if index + 1 < len(offsets):
            end = offsets[index + 1] - items[index + 1][1] + 1
        built = build("k:\n" + self._text[start:end], self._file)
        document = built.document
        first = self._first_keys[key][index]
        if not built.problems and document is not None and _one_item(document.data, first):
            shift = line - 2
            values, keys = document.source.values, document.source.keys
            found = (_moved(values, key, index, shift), _moved(keys, key, index, shift))
        self._inside[(key, index)] = found
        return found

    def _top_sections(self) -> dict[str, tuple[int, int, int]] | None:
        """Each top-level key's character range, if the keys found are exactly the data's."""
        if self._sections is None:
            # The text is searched with a newline before it, so offsets are one more.
            found = [
                (m.group("dq") or m.group("sq") or m.group("plain") or "", m.start(), m.end() - 1)
                for m in _TOP_KEY.finditer(f"\n{self._text}\n")
            ]
            if [key for key, _, _ in found] != self._keys:
                self._sections = {}
                return None
            ends = [start for _, start, _ in found[1:]] + [len(self._text)]
            self._sections = {
                key: (start, colon, end)
                for (key, start, colon), end in zip(found, ends, strict=True)
            }
        return self._sections or None

    def _scan_items(self, key: str, section: tuple[int, int, int]) -> list[Spot] | None:
        """Where each item of the block list under ``key`` starts, checked against the data."""
        items = self._first_keys.get(key)
        if items is None:
            return None
        _, colon, end = section
        text = self._text
        newline = text.find("\n", colon, end)
        body = end if newline < 0 else newline + 1
        rest = text[colon:body].strip(" \t\r\n")
        if rest and not rest.startswith("#"):
            return None  # the list starts on the key's line: flow style
        first = _CONTENT.search(text, body, end)
        if first is None or not text.startswith("- ", first.end()):
            return None
        item = re.compile(rf"\n{first.group(1)}- +(?=[^ \r\n])")
        offsets = [m.end() for m in item.finditer(text, body - 1, end)]
        if len(offsets) != len(items):
            return None
        spots: list[Spot] = []
        line, at = text.count("\n", 0, body) + 1, body
        for offset, first_key in zip(offsets, items, strict=True):
            after = offset + len(first_key)
            # ``_starts_item``, its usual case (the plain key, then ':' or ' ') written out.
            usual = (
                first_key
                and text.startswith(first_key, offset)
                and text[after : after + 1] in (":", " ")
            )
            if not usual and not _starts_item(text, offset, first_key):
                return None
            line += text.count("\n", at, offset)
            at = offset
            spots.append((line, offset - text.rfind("\n", 0, offset)))
        self._offsets[key] = offsets
        return spots

    def _parse_section(
        self, key: str, section: tuple[int, int, int]
    ) -> dict[YamlPath, Spot] | None:
        """Every position under ``key``, from the careful parser run on its section alone."""
        from reconciler.desired.loader.events import build

        start, _, end = section
        if key not in self._values or end - start > _SMALL_SECTION:
            return None
        built = build(self._text[start:end], self._file)
        document = built.document
        if built.problems or document is None or document.data != {key: self._values[key]}:
            return None
        shift = self._text.count("\n", 0, start)
        return {
            path: (line + shift, column) for path, (line, column) in document.source.values.items()
        }


def _one_item(data: Any, first: str) -> bool:
    """Whether an item's lines read alone (under ``k``) are one item whose first key is
    ``first`` ("" if none), as the whole file's data says."""
    if type(data) is not dict or list(data) != ["k"]:
        return False
    items = data["k"]
    if type(items) is not list or len(items) != 1 or type(items[0]) is not dict:
        return False
    return next(iter(items[0]), "") == first


def _moved(spots: Spots, key: str, index: int, shift: int) -> Spots:
    """Positions inside an item read alone, as the whole file places them."""
    return {
        (key, index, *path[2:]): (line + shift, column)
        for path, (line, column) in spots.items()
        if len(path) > 2
    }


def _starts_item(text: str, offset: int, first: str) -> bool:
    """Whether an item whose first key is ``first`` ("" if none) is written at ``offset``:
    ``{``, or that key (maybe quoted)."""
    if text.startswith("{", offset):
        return True
    if not first:
        return False
    after = offset + len(first)
    if text.startswith(first, offset) and text[after : after + 1] in (":", " "):
        return True
    return text.startswith((f'"{first}"', f"'{first}'"), offset)
