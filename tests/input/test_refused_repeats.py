"""Which desired files the cross-checks refuse: repeated ids, codes and names, repeated
registered sequences and a second default tax, each at its place with the repeated value and
the line of the first. Each test names the mutants of ``reconciler/desired/document.py`` it
kills (``tests/MUTATION.md``)."""

from __future__ import annotations

import pytest

from reconciler.errors import Problem

from .conftest import Problems

REPEATED = "is listed more than once"


def _where(found: list[Problem]) -> list[tuple[int, int, str, str]]:
    return [(p.line, p.column, p.path, p.message) for p in found]


def test_every_default_tax_after_the_first_is_refused_naming_the_first(
    problems: Problems,
) -> None:
    """``default_tax`` written as ``true``, ``1`` and ``'1'`` all count; ``0`` does not.
    Kills ``_second_defaults`` 2, 4 to 33, 38 to 60 and ``_cross_checks`` 113 to 118."""
    text = (
        "taxes:\n"
        "  - name: A\n    default_tax: 0\n"
        "  - name: B\n    default_tax: true\n"
        "  - name: C\n    default_tax: 1\n"
        "  - name: D\n    default_tax: '1'\n"
    )
    assert _where(problems(text)) == [
        (7, 18, "taxes[2].default_tax", "only one tax can be the default (another is, at line 5)"),
        (9, 18, "taxes[3].default_tax", "only one tax can be the default (another is, at line 5)"),
    ]


def test_a_default_flag_refused_by_its_tag_is_not_counted(problems: Problems) -> None:
    """A flag the loader refused is reported once, and is no first default for the next.
    Kills ``_second_defaults`` 34 to 37."""
    text = "taxes:\n  - name: A\n    default_tax: !foo 1\n  - name: B\n    default_tax: 1\n"
    assert _where(problems(text)) == [
        (3, 18, "taxes[0].default_tax", "tag '!foo' is not allowed here"),
    ]


@pytest.mark.parametrize(("kind", "noun"), [("taxes", "tax"), ("items", "item")])
def test_repeated_tax_and_item_ids_and_names_are_refused(
    problems: Problems, kind: str, noun: str
) -> None:
    """An id written as a number and as text is the same id. Kills ``_cross_checks`` 92 to
    112."""
    text = f"{kind}:\n  - id: 5\n    name: A\n  - id: 6\n    name: B\n  - id: '5'\n    name: A\n"
    assert _where(problems(text)) == [
        (6, 9, f"{kind}[2].id", f"{noun} id 5 is listed more than once (first at line 2)"),
        (7, 11, f"{kind}[2].name", f"{noun} name 'A' is listed more than once (first at line 3)"),
    ]


def test_a_repeat_after_an_item_that_is_not_a_mapping_is_found(problems: Problems) -> None:
    """Kills ``_all_distinct`` 1 and 5, ``_cross_checks`` 25 to 28."""
    text = (
        "clients:\n  - plain\n"
        "  - id: 1\n    code: a\n    name: x\n"
        "  - id: 1\n    code: b\n    name: y\n"
    )
    assert _where(problems(text)) == [
        (2, 5, "clients[0]", "expected a mapping, got 'plain'"),
        (6, 9, "clients[2].id", "client id 1 is listed more than once (first at line 3)"),
    ]


@pytest.mark.parametrize("item", ["7", "a", "'a'"])
def test_items_that_are_not_mappings_hold_no_id_code_or_name(problems: Problems, item: str) -> None:
    """Two equal items that are not mappings are each refused as such, never as a repeated id,
    code or name they do not hold. Kills ``_all_distinct`` 4."""
    found = problems(f"clients:\n  - {item}\n  - {item}\n")
    shown = item.strip("'")
    assert _where(found) == [
        (2, 5, "clients[0]", f"expected a mapping, got '{shown}'"),
        (3, 5, "clients[1]", f"expected a mapping, got '{shown}'"),
    ]


def test_a_repeated_code_is_found_beside_a_code_written_as_a_list(problems: Problems) -> None:
    """A code that cannot be compared (a list) does not hide the others' repeats. Kills
    ``_all_distinct`` 9."""
    text = (
        "clients:\n"
        "  - id: 1\n    code: [c]\n    name: x\n"
        "  - id: 2\n    code: c\n    name: y\n"
        "  - id: 3\n    code: c\n    name: z\n"
    )
    assert _where(problems(text)) == [
        (3, 11, "clients[0].code", "must be text, not a mapping or a list"),
        (9, 11, "clients[2].code", "client code 'c' is listed more than once (first at line 6)"),
    ]


def test_a_repeat_is_found_after_an_item_without_the_field_and_beside_an_unset_variable(
    problems: Problems,
) -> None:
    """A client without an id is skipped, not the end of the search; a value left unexpanded
    elsewhere hides no repeat. Kills ``_cross_checks`` 31, 33, 35 and 36."""
    text = (
        "account:\n  id: 1\n  city: ${RECONCILER_VAR_CITY}\n"
        "clients:\n"
        "  - code: a\n    name: x\n"
        "  - code: b\n    name: y\n"
        "  - id: 7\n    code: c\n    name: z\n"
        "  - id: 7\n    code: d\n    name: w\n"
    )
    assert _where(problems(text)) == [
        (3, 9, "account.city", "environment variable RECONCILER_VAR_CITY is not set"),
        (12, 9, "clients[3].id", "client id 7 is listed more than once (first at line 9)"),
    ]


def test_a_value_refused_by_its_tag_is_no_first_occurrence(problems: Problems) -> None:
    """The value the loader refused is not compared, so the same value written later is no
    repeat. Kills ``_cross_checks`` 34."""
    text = "clients:\n  - id: !foo 7\n    code: a\n    name: x\n"
    text += "  - id: 7\n    code: b\n    name: y\n"
    assert _where(problems(text)) == [(2, 9, "clients[0].id", "tag '!foo' is not allowed here")]


def test_a_serie_is_repeated_whatever_the_spaces_around_it(problems: Problems) -> None:
    """A quoted serie is shown as a serie, apart from a sequence id."""
    text = "sequences:\n  register:\n    - 'A'\n    - 146090\n    - ' A '\n"
    assert _where(problems(text)) == [
        (5, 7, "sequences.register[2]", f"sequence serie 'A' {REPEATED} (first at line 3)"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "clients:\n  - id: 1\n    code: ''\n    name: n\n"
            "  - id: 2\n    code: ''\n    name: m\n",
            [
                (3, 11, "clients[0].code", "must not be empty"),
                (6, 11, "clients[1].code", "must not be empty"),
            ],
        ),
        (
            "clients:\n  - id: 1\n    code: [c]\n    name: n\n"
            "  - id: 2\n    code: [c]\n    name: m\n",
            [
                (3, 11, "clients[0].code", "must be text, not a mapping or a list"),
                (6, 11, "clients[1].code", "must be text, not a mapping or a list"),
            ],
        ),
        (
            "sequences:\n  register:\n    - ' '\n    - ' '\n",
            [
                (3, 7, "sequences.register[0]", "a serie must not be empty"),
                (4, 7, "sequences.register[1]", "a serie must not be empty"),
            ],
        ),
    ],
)
def test_values_the_models_refuse_are_not_repeats(
    problems: Problems, text: str, expected: list[tuple[int, int, str, str]]
) -> None:
    """Empty codes, codes written as lists and blank series are refused by the models alone,
    never as repeated. Kills ``_as_text`` 2 and 3, ``_as_sequence`` 4."""
    assert _where(problems(text)) == expected
