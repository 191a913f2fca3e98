"""Every node's type flags at once: an array of 64-bit lanes, searched a byte column at a time.

rapidyaml's tree has a node for every key, value and collection (some 17 a client), and the
fast path reads each node's type once into an ``array('Q')``. Looking at the flags of each
node in Python costs more than parsing the file; ``Lanes`` instead takes each byte of the
lanes that a question's flags reach as one column of bytes (a strided slice of the array's
bytes, in C), maps every byte of the column to 1 or 0 by a ``bytes.translate`` table, and
searches the result. A property test (tests/input/test_lanes.py) holds it to loops over the
nodes.
"""

from __future__ import annotations

import functools
import sys
from array import array

_WIDTH = 8
"""Bytes a lane."""


@functools.cache
def _matching(mask: int, value: int) -> bytes:
    """A ``bytes.translate`` table: 1 for a byte whose bits of ``mask`` are ``value``, else 0."""
    return bytes(1 if byte & mask == value else 0 for byte in range(256))


@functools.cache
def _touching(mask: int) -> bytes:
    """A ``bytes.translate`` table: 1 for a byte with any bit of ``mask`` set, else 0."""
    return bytes(1 if byte & mask else 0 for byte in range(256))


class Lanes:
    """The type flags of every node, read a byte column at a time."""

    def __init__(self, types: array[int]) -> None:
        self._count = len(types)
        self._bytes = types.tobytes()
        self._columns: dict[int, bytes] = {}

    def _column(self, at: int) -> bytes:
        """Byte ``at`` (in the machine's order) of every lane, in lane order."""
        column = self._columns.get(at)
        if column is None:
            column = self._columns[at] = self._bytes[at::_WIDTH]
        return column

    def _parts(self, flags: int) -> list[tuple[int, int]]:
        """The byte columns ``flags`` reaches, with its byte in each."""
        return [(at, part) for at, part in enumerate(flags.to_bytes(_WIDTH, sys.byteorder)) if part]

    def any(self, flags: int) -> bool:
        """Whether a lane has any of ``flags`` set."""
        return any(
            1 in self._column(at).translate(_touching(part)) for at, part in self._parts(flags)
        )

    def holds(self, mask: int, value: int) -> bool:
        """Whether a lane's flags of ``mask`` are exactly ``value`` (a part of ``mask``, not 0)."""
        wanted = value.to_bytes(_WIDTH, sys.byteorder)
        every = -1
        for at, part in self._parts(mask):
            marks = self._column(at).translate(_matching(part, wanted[at]))
            every &= int.from_bytes(marks, "little")
            if not every:
                return False
        return self._count > 0

    def flagged(self, flags: int) -> list[int]:
        """The index of every lane with any of ``flags`` set, in order."""
        columns = [self._column(at).translate(_touching(part)) for at, part in self._parts(flags)]
        if len(columns) == 1:
            marks = columns[0]
        else:
            either = 0
            for column in columns:
                either |= int.from_bytes(column, "little")
            marks = either.to_bytes(self._count, "little")
        indices, at = [], marks.find(1)
        while at >= 0:
            indices.append(at)
            at = marks.find(1, at + 1)
        return indices
