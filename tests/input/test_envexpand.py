"""``${NAME}``, ``${NAME:-default}`` and ``$$`` expansion, and its problems."""

from __future__ import annotations

import pytest

from reconciler.desired.envexpand import expand, expand_text
from reconciler.desired.loader import parse_yaml
from reconciler.errors import ValidationFailed


@pytest.mark.parametrize(
    ("text", "environ", "expected"),
    [
        ("${NAME}", {"NAME": "Ana"}, "Ana"),
        ("Dear ${FIRST} ${LAST}!", {"FIRST": "Ana", "LAST": "Silva"}, "Dear Ana Silva!"),
        ("${NAME:-Rui}", {}, "Rui"),
        ("${NAME:-Rui}", {"NAME": ""}, "Rui"),
        ("${NAME:-Rui}", {"NAME": "Ana"}, "Ana"),
        ("${NAME:-}", {}, ""),
        ("5$$ each", {}, "5$ each"),
        ("$${NAME}", {"NAME": "Ana"}, "${NAME}"),
        ("US$ 5", {}, "US$ 5"),
        ("ends with $", {}, "ends with $"),
    ],
)
def test_expansion(text: str, environ: dict[str, str], expected: str) -> None:
    # As a secret field reads it: any variable.
    assert expand_text(text, environ, any_variable=True) == (expected, [])


def test_an_ordinary_text_reads_only_the_variables_the_operator_allowed() -> None:
    environ = {"NAME": "Ana", "RECONCILER_VAR_NAME": "Rui", "RECONCILER_ALLOWED_VARS": "CITY"}
    assert expand_text("${RECONCILER_VAR_NAME}", environ) == ("Rui", [])
    assert expand_text("${CITY:-Faro}", environ) == ("Faro", [])
    assert expand_text("${NAME}", environ)[1] == [
        "environment variable NAME is not allowed here: the operator allows one by naming it "
        "RECONCILER_VAR_<NAME> or by listing it in RECONCILER_ALLOWED_VARS"
    ]


def test_missing_variable_names_file_line_and_column() -> None:
    doc = parse_yaml("account:\n  id: 1\n  city: ${RECONCILER_VAR_CITY}\n", "state.yaml")
    with pytest.raises(ValidationFailed) as failure:
        expand(doc, {})
    [problem] = failure.value.problems
    assert str(problem) == (
        "state.yaml:3:9: account.city: environment variable RECONCILER_VAR_CITY is not set"
    )


def test_every_missing_variable_is_reported() -> None:
    doc = parse_yaml("a: ${A}\nb: [x, '${B} ${C}']\n", "f")
    with pytest.raises(ValidationFailed) as failure:
        expand(doc, {"RECONCILER_ALLOWED_VARS": "A,B,C"})
    found = [(p.line, p.path, p.message) for p in failure.value.problems]
    assert found == [
        (1, "a", "environment variable A is not set"),
        (2, "b[1]", "environment variable B is not set"),
        (2, "b[1]", "environment variable C is not set"),
    ]


@pytest.mark.parametrize("text", ["${", "${NAME", "x ${NAME y"])
def test_unclosed_reference(text: str) -> None:
    assert expand_text(text, {"NAME": "v"})[1] == [
        "'${' is not closed with '}' (write '$$' for a literal '$')"
    ]


@pytest.mark.parametrize("text", ["${}", "${1X}", "${NAME:default}", "${A B}"])
def test_malformed_reference(text: str) -> None:
    assert expand_text(text, {})[1] == [
        "malformed reference: use ${NAME} or ${NAME:-default} ('$$' for '$')"
    ]


def test_keys_and_implicit_scalars_are_left_alone() -> None:
    doc = parse_yaml("${KEY}: 1\nn: 42\nlist: ['${V}']\n", "f")
    data = expand(doc, {"KEY": "k", "V": "v", "RECONCILER_ALLOWED_VARS": "KEY,V"}).data
    assert data == {"${KEY}": "1", "n": "42", "list": ["v"]}


def test_expanded_value_keeps_its_position() -> None:
    doc = expand(parse_yaml("a:\n  b: ${RECONCILER_VAR_B}\n", "f"), {"RECONCILER_VAR_B": "x"})
    assert doc.data == {"a": {"b": "x"}}
    assert doc.source.locate(("a", "b")).line == 2
