"""The fast path (rapidyaml) and the careful path (ruamel.yaml events) agree.

Whenever the fast path accepts a file, the careful path loads it without problems into equal
data, value types included; everything the fast path cannot reproduce exactly, it declines.
Longer runs: ``INPUT_FUZZ_PROFILE=input-fuzz-long pytest tests/input/test_fast_path.py``.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import ryml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from reconciler.desired.loader import ImplicitScalar, parse_yaml, parse_yaml_partial
from reconciler.desired.loader.checked_text import Fatal, decode
from reconciler.desired.loader.events import build
from reconciler.desired.loader.fast import Conversion, Unreadable, fast_data

from .conftest import CASES, FUZZ_PROFILE

FUZZ = settings(settings.get_profile(FUZZ_PROFILE))


def typed(value: Any) -> Any:
    """``value`` with every scalar's type made part of it, for exact comparison."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    if isinstance(value, ImplicitScalar):
        return ("implicit", str(value), type(value.value).__name__, repr(value.value))
    return (type(value).__name__, value)


@dataclass
class Tally:
    """The inputs the fast path accepted and declined while one test ran."""

    accepted: int = 0
    declined: int = 0


_TALLY: list[Tally] = []  # the running test's, when it counts


def mostly_accepted(share: float) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Fail the test when the fast path accepted fewer than ``share`` of the inputs given to
    ``agree``: a declined input compares nothing, so a test of declined inputs tests nothing."""

    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(test)
        def counted(*args: Any, **kwargs: Any) -> None:
            _TALLY.append(tally := Tally())
            try:
                test(*args, **kwargs)
            finally:
                _TALLY.remove(tally)
            seen = tally.accepted + tally.declined
            assert seen and tally.accepted >= share * seen, (
                f"the fast path accepted {tally.accepted} of {seen} inputs, "
                f"fewer than {share:.0%}: the test compares too little"
            )

        return counted

    return decorate


def agree(text: str) -> bool:
    """Check the two paths agree on ``text``; True if the fast path accepted it."""
    accepted = _agree(text)
    for tally in _TALLY:
        if accepted:
            tally.accepted += 1
        else:
            tally.declined += 1
    return accepted


def _agree(text: str) -> bool:
    try:
        checked = decode(text, "f.yaml")
    except Fatal:
        return False
    fast = fast_data(checked)
    if fast is None:
        return False
    careful = build(checked, "f.yaml")
    assert careful.problems == [], careful.problems
    assert careful.document is not None
    assert typed(fast) == typed(careful.document.data)
    return True


def dump(data: Any, flow: bool | None) -> str:
    stream = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = flow
    yaml.dump(data, stream)
    return stream.getvalue()


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["0213456789", "~", "null", "True", "0x1F", "0o17", "1_000", ".inf", "-.5"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)
yaml_text = st.lists(
    st.sampled_from(
        [*"abe01:-[]{},&*!|>'\"#%?$\n\t\r ~.\\", "\n  ", ": ", "- ", "id", "\n- ", "---\n", "0x1"]
    ),
    max_size=60,
).map("".join)


@mostly_accepted(0.1)
@FUZZ
@given(st.dictionaries(st.text(max_size=8), documents, min_size=1, max_size=4), st.booleans())
def test_random_documents_agree(data: dict[str, Any], flow: bool) -> None:
    agree(dump(data, flow or None))


@mostly_accepted(0.04)
@FUZZ
@given(yaml_text)
@example("? a\n:a")  # an explicit key rapidyaml read and YAML refuses
def test_random_yaml_like_text_agrees(text: str) -> None:
    agree(text)  # nearly all declined (about 1 in 200 accepted)
    agree("k: " + text)  # as a mapping's value, where far more of it is accepted


@mostly_accepted(0.2)
@FUZZ
@given(st.data())
def test_mutated_valid_file_agrees(data: st.DataObject) -> None:
    text = (CASES / "valid.yaml").read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 6))
        insert = data.draw(st.text(alphabet=":-[]{}'\"&*!# \n\t\rx9$|>~", max_size=3))
        text = text[:at] + insert + text[at + cut :]
    agree(text)


ACCEPTED = [
    "a: 1\nb: [x, 'y', \"z\"]\nc: {d: ~, e: ''}\n",
    "---\na: 0213456789\nb: true\nc: 1.50\nd: 0x1F\ne: +12\nf: .inf\n",
    'a: |\n  line 1\n  line 2\nb: >-\n  folded\n  text\nc: "tab\\tcafé\\u00e9"\n',
    "a: plain\n  continued\n  lines\n'quoted key': 1\n\"42\": x\n",
    (CASES / "valid.yaml").read_text(encoding="utf-8"),
]
DECLINED = [
    "a: 1\na: 2\n",
    "42: x\n",
    "~: x\n",
    "a: !!str 1\n",
    "a: !custom x\n",
    "a: &x 1\nb: *x\n",
    "base: &b {x: 1}\nother:\n  <<: *b\n",
    "a: 1\n---\nb: 2\n",
    "%YAML 1.2\n---\na: 1\n",
    "- a\n",
    "text\n",
    "",
    "a: [\n",
    "a: " + "[" * 60 + "]" * 60 + "\n",
    "a: " + "x" * 100_001 + "\n",
    "a:\n  b: 1\n  c: 2\n  b: 3\n",
    "a:\n  - x: 1\n    x: 1\n",
    "a: [b, c: d]\n",
    "'1': x\n1: y\n",
    "".join("  " * depth + "k:\n" for depth in range(70)) + "  " * 70 + "x: 1\n",
]


# Characters and pieces where the two parsers were seen to differ: control characters, tabs,
# CR (alone and in CRLF), Unicode line breaks, quotes and escapes.
_AWKWARD = ["\r", "\r\n", "\t", "\x85", "\u2028", "\x07", "\x1b", "\\r", "\\t", "\\n", " ", "é"]
awkward_text = st.lists(
    st.one_of(st.sampled_from(_AWKWARD), st.text(alphabet="Porto 0123:-#'\"", max_size=4)),
    max_size=6,
).map("".join)
quoted = st.sampled_from(["'{}'", '"{}"', "{}"])


@st.composite
def scalar_documents(draw: st.DrawFn) -> str:
    """Mappings of quoted and unquoted scalars holding awkward characters, with any line ends."""
    lines = []
    for index in range(draw(st.integers(1, 4))):
        value = draw(awkward_text)
        style = draw(quoted)
        if style == "'{}'":
            value = value.replace("'", "''")
        elif style == '"{}"':
            value = value.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f"k{index}: {style.format(value)}")
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return end.join(lines) + end


def _read(text: str) -> Any:
    partial = parse_yaml_partial(text, "f.yaml")
    if partial.document is None:
        return None
    return typed(partial.document.data), [p.message for p in partial.problems]


@mostly_accepted(0.05)
@FUZZ
@given(scalar_documents())
def test_awkward_scalars_read_alike_on_both_paths(text: str) -> None:
    """What the fast path accepts, the careful path reads alike; and a tab in a comment, which
    sends the file down the careful path, changes nothing."""
    agree(text)
    assert _read(text) == _read(text + "#\tcomment\n")


@pytest.mark.parametrize("end", ["\n", "\r\n"])
@pytest.mark.parametrize("quote", ['"', "'"])
def test_a_carriage_return_in_a_quoted_scalar_reads_alike_with_or_without_a_tab(
    end: str, quote: str
) -> None:
    text = f"city: {quote}Porto\r{quote}{end}"
    plain = parse_yaml(text, "f").data
    with_tab = parse_yaml(text + "#\ttab\n", "f").data
    assert plain == with_tab
    assert agree(text) or fast_data(decode(text, "f")) is None


@pytest.mark.parametrize("text", ACCEPTED)
def test_ordinary_files_take_the_fast_path(text: str) -> None:
    assert agree(text)


@pytest.mark.parametrize("text", DECLINED)
def test_anything_to_report_takes_the_careful_path(text: str) -> None:
    assert fast_data(text) is None


def _through_json(text: str) -> Any:
    """What the JSON conversion makes of ``text``, without the node-by-node fallback."""
    return Conversion(ryml.parse_in_arena(text.encode("utf-8")), text).data()


def test_ambiguous_text_is_read_from_its_own_node() -> None:
    """JSON writes ``0213`` and ``"0213"`` alike: each is read as its node says, in order."""
    spellings = ["0213456789", "~", "True", "0x1F", "1_000", ".inf", "-.5", "1.", "1.50"]
    lines = ["items:"]
    for index in range(120):
        text = spellings[index % len(spellings)]
        value = f'"{text}"' if index % 2 else text
        lines += [f"  - id: {index}", f"    value: {value}", f"    '{text}': {value}"]
    text = "\n".join(lines) + "\n"
    assert typed(_through_json(text)) == typed(build(text, "f.yaml").document.data)
    assert agree(text)


def test_what_json_cannot_hold_is_read_node_by_node() -> None:
    text = "a: +12\nb: -01\n"
    with pytest.raises(Unreadable):
        _through_json(text)
    assert agree(text)


def test_positions_are_worked_out_when_asked() -> None:
    text = "clients:\n  - id: 42\n    email: a@b.pt\n  - id: 43\n"
    fast = parse_yaml(text, "f")
    assert repr(fast.source) == "SourceMap(deferred)"
    careful = build(text, "f").document
    assert careful is not None
    for path in [("clients", 0, "email"), ("clients", 1), ("clients", 1, "id"), ("nothing",)]:
        assert fast.source.locate(path) == careful.source.locate(path)
        assert fast.source.key_position(path) == careful.source.key_position(path)
    assert repr(fast.source) == "SourceMap(7 values, 4 keys)"


_BLOCK_HEADERS = ["|", "|-", "|+", ">", ">-", ">+", "|2", ">2", "|2-", "|+2"]
_BLOCK_LINES = ["Porto", "Rua  do Ouro", "  more indented", "", "   ", "a: b", "x # y", "é"]


@st.composite
def block_scalar_documents(draw: st.DrawFn) -> str:
    """A block scalar with any chomping or indentation indicator, holding blank and
    more-indented lines, ending the file (with or without its last line break, or with blank
    lines after it) or followed by another key."""
    header = draw(st.sampled_from(_BLOCK_HEADERS))
    first = draw(st.sampled_from(["Porto", "x"] + (["  led by spaces"] if "2" in header else [])))
    rest = draw(st.lists(st.sampled_from(_BLOCK_LINES), max_size=4))
    body = "\n".join("  " + line if line.strip() else line for line in [first, *rest])
    end = draw(st.sampled_from(["", "\n", "\n\n", "\n  \n", "\nnext: 1\n", "\nnext: 1"]))
    return f"id: 7\ncity: {header}\n{body}{end}"


@FUZZ
@given(block_scalar_documents())
def test_block_scalars_read_as_yaml_says_on_both_paths(text: str) -> None:
    """Every chomping and indentation indicator, at the end of the file with or without a
    final line break: the value read (fast path or careful) is YAML 1.2's, as ruamel.yaml
    reads it on its own."""
    expected = YAML(typ="safe", pure=True).load(io.StringIO(text))
    agree(text)
    read = parse_yaml(text, "f.yaml").data
    assert str(read["city"]) == expected["city"]
    assert typed(build(text, "f.yaml").document.data)["city"] == ("str", expected["city"])


@pytest.mark.parametrize("header", ["|", ">", "|2", ">2"])
def test_a_block_scalar_ending_the_file_without_a_line_break_keeps_no_line_break(
    header: str,
) -> None:
    text = f"account:\n  city: {header}\n    Porto"
    assert parse_yaml(text, "f.yaml").data["account"]["city"] == "Porto"
    assert parse_yaml(text.encode(), "f.yaml").data["account"]["city"] == "Porto"


def test_rapidyaml_writes_plain_decimal_digits_as_numbers_unless_they_start_with_0() -> None:
    """What the fast path relies on to leave text of digits alone (rapidyaml's
    ``Emitter::_json_writev``): a plain scalar of decimal digits becomes a JSON number unless
    it starts with 0, and a quoted or block one a JSON string."""
    import json

    from reconciler.desired.loader.fast import document_root, emit_json, parse_tree

    text = (
        "plain: 501000011\nzero: 0\nlong: 123456789012345678901234567890\n"
        "double: \"501000011\"\nsingle: '501000011'\nblock: |-\n  501000011\n"
        'leading: 0216018653\nquoted_leading: "0216018653"\n'
    )
    tree = parse_tree(text.encode("utf-8"))
    written = json.loads(emit_json(tree, document_root(tree.this)))
    kinds = {key: type(value).__name__ for key, value in written.items()}
    assert kinds == {
        "plain": "int",
        "zero": "int",
        "long": "int",
        "double": "str",
        "single": "str",
        "block": "str",
        "leading": "str",
        "quoted_leading": "str",
    }


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.from_regex(r"[0-9]{1,25}", fullmatch=True), st.sampled_from(["{}", '"{}"', "'{}'"])
        ),
        min_size=1,
        max_size=6,
    )
)
@example([("501000011", '"{}"'), ("0216018653", "{}"), ("977456405", "{}"), ("0", "'{}'")])
def test_decimal_digits_quoted_or_not_read_alike_on_both_paths(
    values: list[tuple[str, str]],
) -> None:
    """Text of decimal digits is text when quoted and a number (its text kept) when not, on
    both paths; the fast path reads none of them from its node but those starting with 0."""
    text = "".join(f"k{i}: {style.format(digits)}\n" for i, (digits, style) in enumerate(values))
    assert agree(text)
