"""The pattern of characters a desired file may not hold, written as the ranges refused, refuses
exactly the characters the ranges kept do not cover."""

from __future__ import annotations

import re

from reconciler.desired.loader.checked_text import _NON_PRINTABLE

KEPT = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""The characters kept, negated: what the file's text may hold, as the YAML spec lists it."""


def test_the_refused_ranges_are_the_complement_of_the_kept_ones() -> None:
    every = "".join(map(chr, range(0x110000)))
    assert _NON_PRINTABLE.findall(every) == KEPT.findall(every)
    # surrogates; C0 controls but tab and line breaks; DEL and C1 controls but U+0085; U+FFFE/F
    assert len(_NON_PRINTABLE.findall(every)) == 2048 + 29 + 32 + 2
