"""Every node's type flags at once: an array of 64-bit lanes, masked and searched in C.

rapidyaml's tree has a node for every key, value and collection (some 17 a client), and the
fast path reads each node's type once into an ``array('Q')``. Looking at the flags of each
node in Python costs more than parsing the file; ``Lanes`` reads the whole array as one big
integer instead (``&`` works byte by byte, so every lane keeps its place) and searches its
bytes. A property test (tests/input/test_lanes.py) holds it to loops over the nodes.
"""

from __future__ import annotations

import sys
from array import array

_WIDTH = 8
"""Bytes a lane."""
_SET_TO_ONE = bytes([0] + [1] * 255)
"""A ``bytes.translate`` table: zero stays zero, every other byte becomes one."""


class Lanes:
    """The type flags of every node, as one integer."""

    def __init__(self, types: array[int]) -> None:
        self._count = len(types)
        self._whole = int.from_bytes(types.tobytes(), sys.byteorder)

    def _repeated(self, mask: int) -> int:
        return int.from_bytes(mask.to_bytes(_WIDTH, sys.byteorder) * self._count, sys.byteorder)

    def _masked(self, mask: int) -> bytes:
        masked = self._whole & self._repeated(mask)
        return masked.to_bytes(self._count * _WIDTH, sys.byteorder)

    def any(self, flags: int) -> bool:
        """Whether a lane has any of ``flags`` set."""
        return bool(self._whole & self._repeated(flags))

    def holds(self, mask: int, value: int) -> bool:
        """Whether a lane's flags of ``mask`` are exactly ``value`` (a part of ``mask``, not 0)."""
        found, pattern = self._masked(mask), value.to_bytes(_WIDTH, sys.byteorder)
        at = found.find(pattern)
        while at >= 0 and at % _WIDTH:  # a match across two lanes is none
            at = found.find(pattern, at + 1)
        return at >= 0

    def flagged(self, flags: int) -> list[int]:
        """The index of every lane with any of ``flags`` set, in order."""
        found = self._masked(flags)
        # One byte a lane, nonzero where the lane is: the lane's bytes the flags reach, or'd.
        columns = [
            int.from_bytes(found[at::_WIDTH], "little")
            for at, byte in enumerate(flags.to_bytes(_WIDTH, sys.byteorder))
            if byte
        ]
        marked = 0
        for column in columns:
            marked |= column
        marks = marked.to_bytes(self._count, "little").translate(_SET_TO_ONE)
        indices, at = [], marks.find(1)
        while at >= 0:
            indices.append(at)
            at = marks.find(1, at + 1)
        return indices
