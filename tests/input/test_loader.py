"""YAML hazards: each is refused with a clear problem, never inherited or raised as a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from reconciler.desired.loader import (
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    Document,
    ImplicitScalar,
    Position,
    load_yaml,
    parse_yaml,
)
from reconciler.errors import Problem, ValidationFailed


def fail(text: str | bytes) -> list[Problem]:
    with pytest.raises(ValidationFailed) as failure:
        parse_yaml(text, "f.yaml")
    return failure.value.problems


def only(text: str | bytes) -> Problem:
    problems = fail(text)
    assert len(problems) == 1, problems
    return problems[0]


def test_scalars_keep_their_text() -> None:
    data = parse_yaml("phone: 0213456789\nid: 42\nq: '42'\nn: ~\ne:\nok: true\nf: 1.50\n", "f").data
    assert data["phone"] == "0213456789" and isinstance(data["phone"], ImplicitScalar)
    assert data["id"] == "42" and data["id"].value == 42
    assert data["q"] == "42" and type(data["q"]) is str
    assert data["n"] is None and data["e"] is None
    assert data["ok"].value is True and data["ok"] == "true"
    assert data["f"] == "1.50" and data["f"].value == 1.5


def test_explicit_standard_tags() -> None:
    data = parse_yaml("a: !!str 42\nb: !!int '7'\nc: !!null x\n", "f").data
    assert type(data["a"]) is str and data["a"] == "42"
    assert isinstance(data["b"], ImplicitScalar) and data["b"].value == 7
    assert data["c"] is None


def test_positions_of_values_keys_and_items() -> None:
    doc = parse_yaml("clients:\n  - id: 42\n    email: a@b.pt\n  - id: 43\n", "f")
    assert doc.source.locate(("clients", 0, "email")) == Position(3, 12)
    assert doc.source.key_position(("clients", 0, "email")) == Position(3, 5)
    assert doc.source.locate(("clients", 1)) == Position(4, 5)
    assert doc.source.locate(("clients", 1, "missing", 3)) == Position(4, 5)
    assert doc.source.locate(("nothing",)) == Position(1, 1)


def test_empty_value_points_at_its_key() -> None:
    doc = parse_yaml("a:\n  b:\nc: 1\n", "f")
    assert doc.source.locate(("a", "b")) == Position(2, 3)


def test_duplicate_key() -> None:
    problem = only("account:\n  id: 1\n  email: a@b.pt\n  email: c@d.pt\n")
    assert (problem.line, problem.column) == (4, 3)
    assert problem.path == "account.email"
    assert problem.message == "duplicate key 'email' (first written at line 3)"


def test_every_duplicate_key_is_reported() -> None:
    assert len(fail("a: 1\na: 2\nb: {x: 1, x: 2}\n")) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("42: x\n", "key 42 must be text: quote it ('42')"),
        ("? [a]\n: x\n", "keys must be text, not a mapping or a list"),
        ("~: x\n", "a key is empty; keys must be text"),
    ],
)
def test_non_text_key(text: str, message: str) -> None:
    problem = only(text)
    assert (problem.line, problem.message) == (1, message)


def test_unknown_tag() -> None:
    problem = only("a: 1\nb: !!python/object:os.system x\n")
    assert (problem.line, problem.column, problem.path) == (2, 4, "b")
    assert problem.message == "tag '!!python/object:os.system' is not allowed here"


def test_invalid_explicit_int() -> None:
    assert only("a: !!int abc\n").message == "the value is not a valid !!int"


def test_merge_key_is_refused() -> None:
    problem = only("base: &b {x: 1}\nother:\n  <<: *b\n")
    assert (problem.line, problem.message) == (3, "merge keys ('<<') are not supported")


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n", "---\n", b"\xef\xbb\xbf"])
def test_empty_file(text: str | bytes) -> None:
    assert only(text).message == "file is empty"


def test_multiple_documents() -> None:
    problem = only("a: 1\n---\nb: 2\n")
    assert (problem.line, problem.message) == (2, "only one YAML document is allowed per file")


@pytest.mark.parametrize(("text", "what"), [("- a\n- b\n", "a list"), ("hello\n", "text")])
def test_top_level_must_be_a_mapping(text: str, what: str) -> None:
    message = f"the top level must be a mapping (account:, clients:, ...), not {what}"
    assert only(text).message == message


def test_syntax_error_has_the_parser_position() -> None:
    problem = only("account:\n  id: 1\n  name: a: b\n")
    assert (problem.line, problem.column) == (3, 10)
    assert problem.message == "invalid YAML: mapping values are not allowed here"


def test_unclosed_quote_names_where_it_started() -> None:
    problem = only("a: 1\nb: 'abc\n")
    assert problem.message.startswith("invalid YAML: found unexpected end of stream")
    assert "at line 2" in problem.message


def test_invalid_utf8_gives_the_position_of_the_bad_byte() -> None:
    problem = only(b"a: 1\nname: caf\xe9!\n")
    assert (problem.line, problem.column) == (2, 10)
    assert problem.message == "not valid UTF-8 text (byte 0xe9)"


def test_binary_garbage() -> None:
    problem = only(bytes(range(256)) * 4)
    assert problem.message.startswith("not valid UTF-8") or "not allowed in YAML" in problem.message


def test_control_character() -> None:
    problem = only("a: 1\nb: x\x00y\n")
    assert (problem.line, problem.column) == (2, 5)
    assert problem.message == "character U+0000 is not allowed in YAML (binary file?)"


def test_deep_nesting() -> None:
    problem = only("a: " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert problem.message == f"nesting is deeper than {MAX_DEPTH} levels"
    assert problem.line == 1


def test_nesting_within_the_limit_is_fine() -> None:
    depth = MAX_DEPTH - 1
    assert parse_yaml("a: " + "[" * depth + "]" * depth + "\n", "f").data["a"]


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    started = time.perf_counter()
    problem = only("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 2
    assert problem.message == f"aliases expand to more than {MAX_ALIAS_NODES} nodes (alias bomb?)"


def test_modest_aliases_are_allowed() -> None:
    data = parse_yaml("c: &c {name: Ana}\nl: [*c, *c]\n", "f").data
    assert data["l"] == [{"name": "Ana"}, {"name": "Ana"}]


@pytest.mark.parametrize("text", ["a: *nowhere\n", "a: &x [*x]\n"])
def test_undefined_or_recursive_alias(text: str) -> None:
    assert "refers to no anchor defined before it" in only(text).message


def test_huge_scalar_is_a_problem_not_a_crash() -> None:
    problem = only("a: " + "x" * 1_000_000 + "\n")
    assert problem.message == "text is too long (1000000 characters; at most 100000)"


def test_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as sparse:  # refused by its size, before anything is read
        sparse.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(ValidationFailed) as failure:
        load_yaml(path)
    expected = f"file is larger than {MAX_FILE_BYTES // 2**20} MiB"
    assert failure.value.problems[0].message == expected


def test_a_file_at_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as sparse:  # NUL bytes: read, then refused for what they are
        sparse.truncate(MAX_FILE_BYTES)
    with pytest.raises(ValidationFailed) as failure:
        load_yaml(path)
    assert failure.value.problems[0].message.startswith("character U+0000 is not allowed")


def test_unreadable_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as failure:
        load_yaml(tmp_path / "absent.yaml")
    problem = failure.value.problems[0]
    assert problem.file.endswith("absent.yaml")
    assert problem.message == "cannot read the file: No such file or directory"


def test_document_repr_hides_data() -> None:
    doc = parse_yaml("password: hunter2hunter2\n", "f")
    assert isinstance(doc, Document) and "hunter2" not in repr(doc)
