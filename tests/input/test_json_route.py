"""The fast path reads rapidyaml's JSON with orjson, and gets exactly what ``json`` gets.

orjson has no hooks: it reads a whole number as an ``int`` (a float past 64 bits, and ``-0`` as
``0``), a float as a ``float``, and refuses NaN, a number past a double and a lone surrogate.
The conversion turns each back into what ``json`` with the loader's hooks makes of the same
text, or falls back to ``json``; these tests hold the two routes to equal data, value types
included, and to the same decision to decline.
"""

from __future__ import annotations

from typing import Any

import pytest
import ryml
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.desired.loader.checked_text import Fatal, decode
from reconciler.desired.loader.fast import Conversion, json_data, read_json
from reconciler.desired.loader.tree_walk import Decline

from .conftest import FUZZ_PROFILE
from .test_fast_path import dump, typed

FUZZ = settings(settings.get_profile(FUZZ_PROFILE))

# Plain scalars JSON writes as numbers, and their neighbours: zeros, signs, exponents, whole
# numbers on both sides of 64 bits and of a double, floats rapidyaml rewrites.
NUMBERS = [
    "0", "-0", "00", "12", "-12", "+12", "0.0", "-0.0", "1.", ".5", "-.5", "1.50", "1e3",
    "1E3", "1e-3", "2.5e+10", "1e400", "-1e400", "9223372036854775807", "9223372036854775808",
    "18446744073709551615", "18446744073709551616", "-9223372036854775808",
    "-9223372036854775809", "1" + "0" * 30, "-" + "9" * 40, "1" + "0" * 308, "1" + "0" * 309,
    "9" * 5000, "0213456789", "1_000", "0x1F", ".inf", ".nan", "true", "False", "~", "null",
]  # fmt: skip
numbers = st.one_of(
    st.sampled_from(NUMBERS),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)


def routes(text: str) -> tuple[Any, Any]:
    """What the conversion makes of ``text`` through orjson and through ``json`` alone: the
    data with its types, or the name of the exception that ended it."""
    return _through(text, read_json), _through(text, json_data)


def _through(text: str, read: Any) -> Any:
    try:
        checked = decode(text, "f.yaml")
        tree = ryml.parse_in_arena(checked.encode("utf-8"))
    except (Fatal, Exception):
        return "unparsed"
    try:
        return typed(Conversion(tree, checked, read).data())
    except Exception as exc:  # Decline, Unreadable: the same one on both routes
        return type(exc).__name__


@st.composite
def number_documents(draw: st.DrawFn) -> str:
    """Mappings and lists of plain, quoted and flow-style numbers, some in lists of items."""
    lines = []
    for index in range(draw(st.integers(1, 6))):
        value = draw(numbers)
        layout = draw(st.sampled_from(["{}", "'{}'", '"{}"', "[{}]", "[{}, {}]", "{{k: {}}}"]))
        lines.append(f"k{index}: {layout.format(value, value)}")
    items = draw(st.lists(numbers, max_size=4))
    if items:
        lines.append("items:")
        lines += [f"  - id: {value}\n    n: {value}" for value in items]
    return "\n".join(lines) + "\n"


@FUZZ
@given(number_documents())
def test_numbers_read_alike_through_orjson_and_json(text: str) -> None:
    orjson_route, json_route = routes(text)
    assert orjson_route == json_route, text


documents = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(),
        st.text(max_size=12),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=25,
)


@FUZZ
@given(st.dictionaries(st.text(max_size=6), documents, min_size=1, max_size=4), st.booleans())
def test_any_document_reads_alike_through_orjson_and_json(data: dict[str, Any], flow: bool) -> None:
    text = dump(data, flow or None)
    orjson_route, json_route = routes(text)
    assert orjson_route == json_route, text


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        ("-0", "int", "0"),
        ("0", "int", "0"),
        ("18446744073709551616", "int", "18446744073709551616"),
        ("-9223372036854775809", "int", "-9223372036854775809"),
        ("1.", "float", "1.0"),
        ("1e3", "float", "1000.0"),
        ("true", "bool", "True"),
    ],
)
def test_what_orjson_reads_otherwise_comes_out_as_json_reads_it(
    value: str, kind: str, shown: str
) -> None:
    expected = ("implicit", value, kind, shown)
    orjson_route, json_route = routes(f"a: {value}\nb: [{value}]\n")
    assert orjson_route == json_route == {"a": expected, "b": [expected]}


def test_a_duplicate_key_declines_on_both_routes() -> None:
    assert routes("a: 1\nb: 2\na: 3\n") == ("Decline", "Decline")
    with pytest.raises(Decline):
        Conversion(ryml.parse_in_arena(b"a:\n  - x: 1\n    x: 2\n"), "a:\n").data()
