"""The outline (the few positions a plan shows) agrees with the careful path's positions.

Whenever ``Outline.locate`` answers, its answer is the position the careful path records for the
same path; where it can't tell, it answers None and the whole file is placed instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.desired.loader import YamlPath, parse_yaml
from reconciler.desired.loader.events import locate_all
from reconciler.desired.loader.outline import Outline

from .conftest import FUZZ_PROFILE

FUZZ = settings(settings.get_profile(FUZZ_PROFILE))
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(
    [
        *ROOT.glob("examples/*.yaml"),
        *ROOT.glob("examples/multi-account/accounts/*.yaml"),
        ROOT / "state.example.yaml",
    ]
)


def plan_paths(data: dict[str, Any]) -> list[YamlPath]:
    """Every path a plan points a call at, and a few more the outline may place."""
    paths: list[YamlPath] = [(key,) for key in data]
    for key, value in data.items():
        if isinstance(value, list):
            paths += [(key, index) for index in range(len(value) + 1)]
        if isinstance(value, dict):
            paths += [(key, inner) for inner in value]
            register = value.get("register")
            if isinstance(register, list):
                paths += [(key, "register", index) for index in range(len(register))]
    return paths


def answers(text: str) -> tuple[int, int]:
    """Check the outline against the careful path on ``text``; (answered, asked)."""
    document = parse_yaml(text, "f.yaml")
    outline = Outline(text, document.data, "f.yaml")
    values, _ = locate_all(text, "f.yaml")
    asked = answered = 0
    for path in plan_paths(document.data):
        found = outline.locate(path)
        asked += 1
        if found is not None:
            answered += 1
            assert found == values[path], (path, text)
    return answered, asked


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_outline_places_every_call_of_the_examples(path: Path) -> None:
    text = path.read_text("utf-8")
    document = parse_yaml(text, str(path))
    outline = Outline(text, document.data, str(path))
    values, _ = locate_all(text, str(path))
    for key, value in document.data.items():
        wanted: list[YamlPath] = [(key,)]
        if isinstance(value, list):  # clients, taxes, items: a call points at each item
            wanted = [(key, index) for index in range(len(value))]
        for where in wanted:
            assert outline.locate(where) == values[where], where


def test_a_big_file_is_placed_without_placing_every_value() -> None:
    clients = "".join(f"  - id: {i}\n    code: C-{i}\n    name: Client {i}\n" for i in range(500))
    text = f"account:\n  id: 1\nsequences:\n  default: 7\nclients:\n{clients}"
    document = parse_yaml(text, "big.yaml")
    assert document.source.locate(("clients", 499)).line == 6 + 3 * 499
    assert document.source.locate(("account",)).line == 2
    assert document.source.locate(("sequences", "default")).line == 4
    assert repr(document.source) == "SourceMap(deferred)"
    assert document.source.locate(("clients", 3, "name")).line == 6 + 3 * 3 + 2


@pytest.mark.parametrize(
    "text",
    [
        "{account: {id: 1}, clients: [{id: 2}]}\n",  # flow style at the top
        "clients: [{id: 2}, {id: 3}]\n",  # the list on the key's line
        'note: "a\nb: c"\nclients:\n  - id: 2\n',  # a top-level line that is no key
        "clients:\n  -\n    id: 2\n  - id: 3\n",  # an item's mapping on the next line
        "clients:\n  - # first\n    id: 2\n",  # a comment where the item starts
    ],
)
def test_what_the_outline_cannot_place_is_placed_by_the_whole_file(text: str) -> None:
    document = parse_yaml(text, "f.yaml")
    values, _ = locate_all(text, "f.yaml")
    for path in plan_paths(document.data):
        if path in values:
            assert document.source.locate(path) == _position(values[path]), path


def _position(spot: tuple[int, int]) -> Any:
    from reconciler.desired.loader import Position

    return Position(*spot)


keys = st.sampled_from(["id", "code", "name", "'id'", '"code"', "city", "k-1"])
scalars = st.sampled_from(["1", "x", "'q'", '"d"', "-1", "a b", "[1, 2]", "", "'- x'"])
comments = st.sampled_from(["", "  # note", " #"])


@st.composite
def items(draw: Any, indent: str) -> str:
    """One list item of mappings, in one of the block layouts people write."""
    fields = draw(
        st.lists(
            st.tuples(keys, scalars), min_size=1, max_size=3, unique_by=lambda f: f[0].strip("'\"")
        )
    )
    spaces = draw(st.sampled_from([" ", "  ", "   "]))
    inner = indent + " " + spaces
    if draw(st.booleans()):
        body = ", ".join(f"{k}: {v}" if v else f"{k}: x" for k, v in fields)
        return f"{indent}-{spaces}{{{body}}}{draw(comments)}\n"
    lines = [f"{indent}-{spaces}{fields[0][0]}: {fields[0][1]}{draw(comments)}"]
    lines += [f"{inner}{k}: {v}" for k, v in fields[1:]]
    if draw(st.booleans()):
        lines.append(f"{inner}nested:\n{inner}  - {draw(keys)}: 1")
    if draw(st.booleans()):
        lines.append(f"{inner}note: |\n{inner}  - a line like an item\n{inner}  more")
    return "\n".join(line.rstrip("\n") for line in lines) + "\n"


@st.composite
def documents(draw: Any) -> str:
    indent = draw(st.sampled_from(["", "  ", "    "]))
    listed = draw(st.lists(items(indent), max_size=6))
    between = draw(st.sampled_from(["", "\n", "# between\n", "  # indented comment\n"]))
    clients = "clients:" + draw(comments) + "\n" + between.join(listed)
    if not listed:
        clients = "clients: []\n"
    sequences = draw(
        st.sampled_from(
            [
                "sequences:\n  default: 5\n  register: [5, 'A']\n",
                "sequences:\n  default: 'A'\n  register:\n    - 5\n    - 'B'\n",
                "sequences: {default: 5}\n",
            ]
        )
    )
    account = draw(st.sampled_from(["account:\n  id: 1\n", "'account':\n  \"id\": 1\n", ""]))
    parts = [clients, sequences, account]
    order = draw(st.permutations(parts))
    text = draw(st.sampled_from(["", "# top\n", "---\n"])) + "".join(order)
    return text.replace("\n", "\r\n") if draw(st.booleans()) else text


@FUZZ
@given(documents())
def test_the_outline_agrees_with_the_careful_path(text: str) -> None:
    answers(text)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_the_common_layouts_are_placed_by_the_outline(newline: str) -> None:
    """Not a check of speed: the outline must actually answer for the common layouts."""
    text = "clients:\n  - id: 1\n    code: A\n  - 'id': 2\n  -   {id: 3}\n\naccount:\n  id: 1\n"
    # Every item, the account and its id; not the clients list itself (no call points at it,
    # the whole file places it) nor the item past the end.
    assert answers(text.replace("\n", newline)) == (5, 7)


def every_path(value: Any, path: YamlPath = ()) -> list[YamlPath]:
    """Every path in ``value``, and one past the end of each list and mapping."""
    paths: list[YamlPath] = [path]
    if isinstance(value, dict):
        for key, inner in value.items():
            paths += every_path(inner, (*path, key))
        paths.append((*path, "no such key"))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            paths += every_path(inner, (*path, index))
        paths.append((*path, len(value)))
    return paths


def answers_inside_items(text: str) -> int:
    """Check every path and key the outline places against the whole file's map (nearest
    placed ancestor, as ``SourceMap.locate`` answers); how many it placed inside items."""
    from reconciler.desired.loader import SourceMap

    document = parse_yaml(text, "f.yaml")
    outline = Outline(text, document.data, "f.yaml")
    whole = SourceMap(lambda: locate_all(text, "f.yaml"))
    placed = 0
    for path in every_path(document.data):
        found = outline.locate(path)
        if found is not None:
            assert _position(found) == whole.locate(path), (path, text)
            placed += len(path) > 2
        key = outline.locate_key(path)
        if key is not None:
            assert _position(key) == whole.key_position(path), (path, text)
    return placed


@FUZZ
@given(documents())
def test_the_outline_places_what_is_inside_an_item_as_the_whole_file_does(text: str) -> None:
    answers_inside_items(text)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_the_outline_places_the_values_and_keys_inside_items(newline: str) -> None:
    text = (
        "clients:\n  - id: 1\n    code: A\n    contact:\n      name: x\n"
        "  # between\n  - 'id': 2\n    note: |\n      - a line like an item\n"
        "  -   {id: 3, code: C}\naccount:\n  id: 1\n"
    )
    # Inside items: id, code, contact, contact.name; id, note; id, code; and a key past the
    # end of each of the four mappings, placed at the mapping.
    assert answers_inside_items(text.replace("\n", newline)) == 12


def test_an_error_inside_an_item_of_a_big_file_is_placed_by_its_item_alone() -> None:
    clients = "".join(f"  - id: {i}\n    code: C-{i}\n    name: Client {i}\n" for i in range(500))
    text = f"account:\n  id: 1\nclients:\n{clients}"
    document = parse_yaml(text, "big.yaml")
    assert document.source.locate(("clients", 499, "name")) == _position((4 + 3 * 499 + 2, 11))
    assert document.source.key_position(("clients", 7, "code")) == _position((4 + 3 * 7 + 1, 5))
    assert document.source.locate(("clients", 7, "code", "deeper")).line == 4 + 3 * 7 + 1
    assert repr(document.source) == "SourceMap(deferred)"


@settings(max_examples=300)
@given(
    written=st.sampled_from(["id", "code", "'id'", '"code"', "ide", "{id"]),
    said=st.sampled_from(["id", "code", "i", "ide", ""]),
    after=st.sampled_from([": 1", " : 1", ":1", ""]),
)
def test_an_item_is_placed_only_where_its_first_key_is_written(
    written: str, said: str, after: str
) -> None:
    # The data says which key each item starts with; an item whose text starts otherwise
    # makes the outline place nothing in its list (the whole file is placed instead).
    text = f"clients:\n  - {written}{after}\n  - {said or 'x'}: 2\n"
    data = {"clients": [{said: 1}, {said or "x": 2}]}
    starts = (
        written.startswith("{")
        or (
            bool(said)
            and text.startswith(said, 13)
            and text[13 + len(said) : 14 + len(said)] in (":", " ")
        )
        or text.startswith((f'"{said}"', f"'{said}'"), 13)
    )
    found = Outline(text, data, "f.yaml").locate(("clients", 0))
    assert found == ((2, 5) if starts else None)


def _placed_alike(text: str, paths: list[YamlPath]) -> Outline:
    """Each of ``paths`` placed by the outline, where the whole file's map places it."""
    from reconciler.desired.loader import SourceMap

    outline = Outline(text, parse_yaml(text, "f.yaml").data, "f.yaml")
    whole = SourceMap(lambda: locate_all(text, "f.yaml"))
    for path in paths:
        found = outline.locate(path)
        assert found is not None, (path, text)
        assert _position(found) == whole.locate(path), (path, text)
    answers_inside_items(text)
    return outline


@pytest.mark.parametrize(
    ("text", "paths"),
    [
        # A blank first line: every line number counts it.
        (
            "\nclients:\n  - id: 1\n    code: A\naccount:\n  id: 1\n",
            [("clients", 0), ("clients", 0, "code"), ("account",), ("account", "id")],
        ),
        # A comment on the list's key line.
        ("clients: # the list\n  - id: 1\n  - id: 2\n", [("clients", 1), ("clients", 1, "id")]),
        # Items at the first column, each read alone up to the next one's dash.
        (
            "clients:\n- id: 1\n  code: A\n- id: 2\n  code: B\n",
            [("clients", 0, "code"), ("clients", 1, "code")],
        ),
        # A double-quoted top-level key.
        ('"account":\n  id: 1\nclients:\n  - id: 1\n', [("account", "id"), ("clients", 0)]),
        # An empty mapping as an item (its first key is none), and as a top-level value.
        (
            "clients:\n  - {}\n  - id: 2\noptions: {}\n",
            [("clients", 0), ("clients", 0, "no such key"), ("clients", 1), ("options",)],
        ),
        # An empty top-level key, written quoted.
        ('"": 1\nclients:\n  - id: 1\n', [("",), ("clients", 0)]),
        # A top-level list of numbers beside the list of mappings.
        ("numbers:\n  - 1\n  - 2\nclients:\n  - id: 1\n", [("numbers", 1), ("clients", 0)]),
    ],
    ids=[
        "blank-first-line",
        "comment-after-key",
        "first-column",
        "double-quoted",
        "empty",
        "empty-key",
        "numbers",
    ],
)
def test_the_outline_places_these_layouts_itself(text: str, paths: list[YamlPath]) -> None:
    _placed_alike(text, paths)


def test_a_small_section_after_a_big_one_is_placed_by_the_outline() -> None:
    clients = "".join(f"  - id: {i}\n    code: C-{i}\n" for i in range(3_000))
    text = f"clients:\n{clients}account:\n  id: 1\n"
    assert len(text) > 64 * 1024
    _placed_alike(text, [("account",), ("account", "id"), ("clients", 2_999)])


def test_paths_that_name_no_item_are_not_placed() -> None:
    text = "clients:\n  - id: 1\n    code: A\n  - id: 2\n    code: B\naccount:\n  id: 1\n"
    outline = Outline(text, parse_yaml(text, "f.yaml").data, "f.yaml")
    # Asked first, before any item is placed: the key of the list's last item.
    assert outline.locate_key(("clients", 1, "code")) == (5, 5)
    assert outline.locate_key(("clients", 0, "code")) == (3, 5)
    assert outline.locate(("clients", 0)) == (2, 5)
    assert outline.locate(("clients", "code")) is None
    assert outline.locate_key(("clients", "code", "x")) is None
    assert outline.locate_key(("clients", 2, "id")) is None
    assert outline.locate_key(("taxes", 0, "id")) is None
    assert outline.locate_key(("account", 0, "id")) is None
    flow = "clients: [{id: 2}]\n"
    assert (
        Outline(flow, parse_yaml(flow, "f.yaml").data, "f.yaml").locate_key(("clients", 0, "id"))
        is None
    )
    top = "{clients: [{id: 2}]}\n"
    assert (
        Outline(top, parse_yaml(top, "f.yaml").data, "f.yaml").locate_key(("clients", 0, "id"))
        is None
    )
