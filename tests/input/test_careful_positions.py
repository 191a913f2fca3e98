"""A file the fast path declines is loaded by the careful parser without a map of every value;
its problems and every position asked later are those of the careful parser's full map.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.desired.loader import SourceMap, parse_yaml_partial
from reconciler.desired.loader.events import build, locate_all

from .conftest import FUZZ_PROFILE
from .test_outline import documents, every_path

FUZZ = settings(settings.get_profile(FUZZ_PROFILE))
# Each sends a file down the careful path: a tab, a duplicate key, an anchor and its alias,
# a tag, an item's duplicate key, a value that is no mapping in a list of mappings.
DECLINING = [
    "#\ttab\n",
    "extra: 1\nextra: 2\n",
    "base: &b {x: 1}\ncopy: *b\n",
    "tagged: !!str 1\n",
    "more:\n  - id: 1\n    id: 2\n  - id: 3\n",
    "more:\n  - id: 1\n  - just text\n",
]


def same_places(text: str) -> None:
    """The careful path's positions, asked through the loader, are its full map's."""
    loaded = parse_yaml_partial(text, "f.yaml")
    recorded = build(text.replace("\r\n", "\n"), "f.yaml")
    assert loaded.problems == recorded.problems
    assert loaded.spoiled == recorded.spoiled
    if loaded.document is None:
        assert recorded.document is None
        return
    assert recorded.document is not None
    whole = SourceMap(lambda: locate_all(text.replace("\r\n", "\n"), "f.yaml"))
    for path in every_path(loaded.document.data):
        assert loaded.document.source.locate(path) == whole.locate(path), (path, text)
        assert loaded.document.source.key_position(path) == whole.key_position(path), path


@FUZZ
@given(documents(), st.sampled_from(DECLINING), st.booleans())
def test_a_declined_file_places_every_path_as_the_full_map(
    text: str, declining: str, first: bool
) -> None:
    same_places(declining + text if first else text + declining)


# Not a duplicate top-level key: the outline then finds the file's top-level keys are not the
# data's, and the whole file is placed.
@pytest.mark.parametrize("declining", [text for text in DECLINING if not text.startswith("extra")])
def test_a_declined_file_is_loaded_without_placing_every_value(declining: str) -> None:
    clients = "".join(f"  - id: {i}\n    code: C-{i}\n    name: Client {i}\n" for i in range(50))
    text = f"account:\n  id: 1\nclients:\n{clients}{declining}"
    loaded = parse_yaml_partial(text, "f.yaml")
    assert loaded.document is not None
    assert repr(loaded.document.source) == "SourceMap(deferred)"
    assert loaded.document.source.locate(("clients", 49, "name")).line == 4 + 3 * 49 + 2
    assert repr(loaded.document.source) == "SourceMap(deferred)"
    same_places(text)


def test_a_duplicate_key_names_the_line_of_the_first_without_any_map() -> None:
    loaded = parse_yaml_partial("a:\n  b: 1\n  c: 2\n  b: 3\n", "f.yaml")
    assert [problem.message for problem in loaded.problems] == [
        "duplicate key 'b' (first written at line 2)"
    ]
    assert (loaded.problems[0].line, loaded.problems[0].column) == (4, 3)
