"""The one-line message of each kind of model error, whole, at its place: what was expected
and what was written (a mapping, a list, nothing, or the value quoted), never a secret field's
value. Each case names the mutants of ``reconciler/desired/document.py`` it kills
(``tests/MUTATION.md``)."""

from __future__ import annotations

import pytest

from .conftest import Problems

CLIENT = "clients:\n  - id: 1\n    code: c\n    name: n\n"
ACCOUNT = "account:\n  id: 1\n"
CREDENTIALS = ACCOUNT + "  credentials:\n    username: '999999990/1'\n"

CASES = [
    # model_type: _message 30 to 32, _describe 1 to 4
    ("options: 7\n", (1, 10, "options", "expected a mapping, got '7'")),
    ("options: [1]\n", (1, 10, "options", "expected a mapping, got a list")),
    # a secret field's value is not echoed: _message 12, 13
    (ACCOUNT + "  credentials: 7\n", (3, 16, "account.credentials", "expected a mapping")),
    # string_type: _message 23 to 25, 28, 29, _describe 5 to 7
    (
        "clients:\n  - id: 1\n    code: null\n    name: n\n",
        (3, 11, "clients[0].code", "expected text, got nothing"),
    ),
    (
        CREDENTIALS + "    password: {a: 1}\n",
        (5, 15, "account.credentials.password", "must be text, not a mapping or a list"),
    ),
    # tuple_type: _message 37 to 39
    ("sequences:\n  register: 7\n", (2, 13, "sequences.register", "expected a list, got '7'")),
    ("taxes: {a: 1}\n", (1, 8, "taxes", "expected a list, got a mapping")),
    ("items: null\n", (1, 8, "items", "expected a list, got nothing")),
    # literal_error: _message 42 to 47
    (
        "taxes:\n  - name: A\n    region: XX\n",
        (3, 13, "taxes[0].region", "must be 'PT', 'PT-AC', 'PT-MA' or 'Desconhecido', got 'XX'"),
    ),
    (
        "taxes:\n  - name: A\n    code: [1]\n",
        (3, 11, "taxes[0].code", "must be 'NOR', 'INT', 'RED', 'OUT' or 'ISE', got a list"),
    ),
    # greater_than: _message 48, 49, 51, 53
    ("account:\n  id: 0\n", (2, 7, "account.id", "must be greater than 0, got '0'")),
    # the other bounds
    (
        CLIENT + "    send_options: 0\n",
        (5, 19, "clients[0].send_options", "must be at least 1, got '0'"),
    ),
    (
        CLIENT + "    send_options: 4\n",
        (5, 19, "clients[0].send_options", "must be at most 3, got '4'"),
    ),
    (
        "account:\n  id: 9223372036854775808\n",
        (2, 7, "account.id", "must be less than 9223372036854775808, got '9223372036854775808'"),
    ),
    # string_too_short: _message 69, 72 to 75
    ("items:\n  - name: A\n    tax: ''\n", (3, 10, "items[0].tax", "must not be empty")),
    # value_error: _message 76 to 78, 81, 83 to 89
    (
        ACCOUNT + "  email: 5\n",
        (3, 10, "account.email", "'5' must be an email: An email address must have an @-sign."),
    ),
    # unknown fields, with a suggestion from the model at their place: _fields_at, _model_in
    (
        CREDENTIALS + "    password: ${PW}\n    pasword: x\n",
        (6, 5, "account.credentials.pasword", "unknown field 'pasword' (did you mean 'password'?)"),
    ),
    (
        CLIENT + "    emial: a@b.pt\n",
        (5, 5, "clients[0].emial", "unknown field 'emial' (did you mean 'email'?)"),
    ),
    # a top-level field is suggested from the file's own fields: _model_problem 24
    ("acount:\n  id: 1\n", (1, 1, "acount", "unknown field 'acount' (did you mean 'account'?)")),
    # a field inside a list item's nested mapping, from that mapping's fields: _fields_at 2
    (
        CLIENT + "    preferred_contact:\n      codee: x\n",
        (6, 7, "clients[0].preferred_contact.codee", "unknown field 'codee'"),
    ),
    (
        "sequences:\n  registr: [1]\n",
        (2, 3, "sequences.registr", "unknown field 'registr' (did you mean 'register'?)"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_each_kind_of_model_error_has_its_whole_message(
    problems: Problems, text: str, expected: tuple[int, int, str, str]
) -> None:
    found = problems(text, {"PW": "hunter2hunter2"})
    assert [(p.line, p.column, p.path, p.message) for p in found] == [expected]


def test_a_value_the_loader_refused_hides_none_of_the_later_problems(problems: Problems) -> None:
    """The model's complaint about a refused value is left out, and the search goes on. Kills
    ``load_desired`` 52."""
    found = problems("account:\n  id: !foo abc\n  language: xx\n")
    assert [(p.line, p.column, p.path, p.message) for p in found] == [
        (2, 7, "account.id", "tag '!foo' is not allowed here"),
        (3, 13, "account.language", "must be 'pt', 'en' or 'es', got 'xx'"),
    ]
