"""Validation of the desired-state file: one test per rule, with message, line and column."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.desired.document import Desired, load_desired, problem_at
from reconciler.errors import Problem, ValidationFailed

from .conftest import CASES, Problems

OneProblem = Callable[..., Problem]
Load = Callable[..., Desired]

ENV = {"AT_PASSWORD": "segredo123"}


def test_valid_file_loads() -> None:
    desired = load_desired(CASES / "valid.yaml", ENV)
    state = desired.state
    assert state.account is not None and state.account.id == 12345
    assert state.account.fiscal_id == "999999990"
    assert state.account.phone == "0213456789"
    assert state.account.credentials is not None
    assert state.account.credentials.password.get_secret_value() == "segredo123"
    assert state.sequences is not None and state.sequences.to_register == (146090,)
    assert [client.id for client in state.clients] == [42, 43]
    assert state.clients[0].phone == "0262787878"
    assert desired.source.locate(("clients", 1, "email")).line == 43


def test_problem_at_points_into_the_file() -> None:
    desired = load_desired(CASES / "valid.yaml", ENV)
    problem = problem_at(desired, ("account", "fiscal_id"), "Vat Number can't be changed")
    assert str(problem).endswith("valid.yaml:9:14: account.fiscal_id: Vat Number can't be changed")


def test_leading_zero_and_int_coercion(load: Load) -> None:
    state = load("account:\n  id: 42\n  phone: 0213456789\n").state
    assert state.account is not None
    assert state.account.id == 42 and state.account.phone == "0213456789"


def test_unquoted_boolean_flag(load: Load) -> None:
    account = load("account:\n  id: 1\n  terms: true\n  marketing: false\n").state.account
    assert account is not None and (account.terms, account.marketing) == ("1", "0")


def where(problem: Problem) -> str:
    """``line:column: path: message``, the part of a problem's text after the file name."""
    return f"{problem.line}:{problem.column}: {problem.path}: {problem.message}"


CLIENT = "clients:\n  - id: 1\n    code: c\n    name: n\n"
ACCOUNT = "account:\n  id: 1\n"
RULES = [
    (
        ACCOUNT + "  postal_code: 1500\n",
        "3:16: account.postal_code: Postal Code must have the following format DDDD-DDD",
    ),
    (
        ACCOUNT + "  credentials:\n    username: 99999999/1\n    password: abcdefgh\n",
        "4:15: account.credentials.username: "
        "Username doesn't match required format (NIF/N, e.g. 123456789/1)",
    ),
    (
        ACCOUNT + "  credentials:\n    username: 999999990/1\n    password: abc\n",
        "5:15: account.credentials.password: AT passwords are 8 to 14 characters long",
    ),
    (
        CLIENT + "    email: not-an-email\n",
        "5:12: clients[0].email: 'not-an-email' must be an email: "
        "An email address must have an @-sign.",
    ),
    (
        CLIENT + "    language: fr\n",
        "5:15: clients[0].language: must be 'pt', 'en' or 'es', got 'fr'",
    ),
    (ACCOUNT + "  language: de\n", "3:13: account.language: must be 'pt', 'en' or 'es', got 'de'"),
    (CLIENT + "    send_options: 4\n", "5:19: clients[0].send_options: must be at most 3, got '4'"),
    (
        CLIENT + "    send_options: x\n",
        "5:19: clients[0].send_options: expected a whole number, got 'x'",
    ),
    (
        CLIENT + "    country: Narnia\n",
        "5:14: clients[0].country: "
        "Country Narnia was not found (see the list of accepted countries)",
    ),
    (
        CLIENT + "    country: Portugl\n",
        "5:14: clients[0].country: Country Portugl was not found (did you mean 'Portugal'?)",
    ),
    (
        CLIENT + "    email: foo@bar..com\n",
        "5:12: clients[0].email: 'foo@bar..com' must be an email: "
        "An email address cannot have two periods in a row.",
    ),
    (
        ACCOUNT + "  fiscal_id: '123456780'\n",
        "3:14: account.fiscal_id: 123456780 is not a valid Portuguese NIF "
        "(its check digit is wrong)",
    ),
    (
        ACCOUNT + CLIENT + "    fiscal_id: '123456780'\n",
        "7:16: clients[0].fiscal_id: 123456780 is not a valid Portuguese NIF "
        "(its check digit is wrong)",
    ),
    (
        CLIENT + "    country: Portugal\n    fiscal_id: 501234567\n",
        "6:16: clients[0].fiscal_id: 501234567 is not a valid Portuguese NIF "
        "(its check digit is wrong)",
    ),
    (
        ACCOUNT + "  tax_country: Kosovo\n",
        "3:16: account.tax_country: Kosovo can be a client's country but not a tax_country: "
        "its number in the API's list is not known",
    ),
    (
        ACCOUNT + "  terms: 0\n",
        "3:10: account.terms: Terms and Conditions must be accepted (terms: 1)",
    ),
    (
        ACCOUNT + "  tax_country: 999\n",
        "3:16: account.tax_country: tax_country 999 is not an option (1 to 251)",
    ),
    (
        ACCOUNT + "  terms: maybe\n",
        "3:10: account.terms: must be 1 (accepted) or 0 (not accepted)",
    ),
    ("account:\n  id: abc\n", "2:7: account.id: expected a whole number, got 'abc'"),
    ("account:\n  id: 0\n", "2:7: account.id: must be greater than 0, got '0'"),
    (ACCOUNT + "  city: [Lisboa]\n", "3:9: account.city: must be text, not a mapping or a list"),
    ("account: Padaria\n", "1:10: account: expected a mapping, got 'Padaria'"),
    ("clients:\n  id: 1\n", "2:3: clients: expected a list, got a mapping"),
    ("clients:\n  - 42\n", "2:5: clients[0]: expected a mapping, got '42'"),
    (
        "sequences:\n  register: [1, 2.5]\n",
        "2:17: sequences.register[1]: expected a sequence id (a whole number) or a serie "
        '(quoted text, e.g. "2025")',
    ),
    ("sequences:\n  register: 146090\n", "2:13: sequences.register: expected a list, got '146090'"),
    (
        "clients:\n  - id: 1\n    code: ''\n    name: n\n",
        "3:11: clients[0].code: must not be empty",
    ),
    # Digits are ASCII digits, as the API and the schema's patterns read them.
    (
        ACCOUNT + "  postal_code: \uff11\uff15\uff10\uff10-555\n",
        "3:16: account.postal_code: Postal Code must have the following format DDDD-DDD",
    ),
    (
        ACCOUNT
        + "  credentials:\n    username: \u0669\u0669\u0669999990/1\n    password: abcdefgh\n",
        "4:15: account.credentials.username: "
        "Username doesn't match required format (NIF/N, e.g. 123456789/1)",
    ),
]


@pytest.mark.parametrize(("text", "expected"), RULES)
def test_validation_rule(one_problem: OneProblem, text: str, expected: str) -> None:
    assert where(one_problem(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        ACCOUNT + "  fiscal_id: '999999990'\n",
        ACCOUNT + "  fiscal_id: ''\n",  # clearing is not checked
        ACCOUNT + "  tax_country: Spain\n  fiscal_id: B12345678\n",
        CLIENT + "    fiscal_id: '123456780'\n",  # no account: its country is not known
        ACCOUNT + CLIENT + "    country: Spain\n    fiscal_id: '123456780'\n",
        ACCOUNT + "  tax_country: Spain\n" + CLIENT + "    fiscal_id: '123456780'\n",
        ACCOUNT + CLIENT + "    fiscal_id: PT501964843\n",
        CLIENT + "    country: Kosovo\n",
        CLIENT + "    email: ana@exemplo.pt\n",
    ],
)
def test_what_the_rules_accept(load: Load, text: str) -> None:
    assert load(text).state is not None


def test_postal_code_of_a_foreign_account_is_free(load: Load) -> None:
    account = load(ACCOUNT + "  tax_country: Spain\n  postal_code: '28001'\n").state.account
    assert account is not None and account.postal_code == "28001"


def test_unknown_field_points_at_the_key_with_a_suggestion(one_problem: OneProblem) -> None:
    problem = one_problem("clients:\n  - id: 1\n    code: c\n    name: n\n    emial: a@b.pt\n")
    assert (problem.line, problem.column, problem.path) == (5, 5, "clients[0].emial")
    assert problem.message == "unknown field 'emial' (did you mean 'email'?)"


def test_unknown_field_without_a_close_match(one_problem: OneProblem) -> None:
    problem = one_problem("account:\n  id: 1\nzzz: 1\n")
    assert (problem.line, problem.column, problem.message) == (3, 1, "unknown field 'zzz'")


def test_unknown_field_suggests_the_yaml_name_of_aliased_fields(one_problem: OneProblem) -> None:
    problem = one_problem("sequences:\n  registr: [1]\n")
    assert problem.message == "unknown field 'registr' (did you mean 'register'?)"


def test_missing_field_points_at_the_parent(one_problem: OneProblem) -> None:
    problem = one_problem("clients:\n  - id: 1\n    name: n\n")
    assert (problem.line, problem.column, problem.path) == (2, 5, "clients[0]")
    assert problem.message == "missing required field 'code'"


def test_null_where_text_is_required(one_problem: OneProblem) -> None:
    problem = one_problem("clients:\n  - id: 1\n    code:\n    name: n\n")
    assert where(problem) == "3:5: clients[0].code: expected text, got nothing"


def test_huge_value_is_too_long(one_problem: OneProblem) -> None:
    problem = one_problem("account:\n  id: 1\n  city: " + "x" * 1_000_000 + "\n")
    assert (problem.line, problem.path) == (3, "account.city")
    assert problem.message == "text is too long (1000000 characters; at most 100000)"


def test_long_value_over_the_field_limit(one_problem: OneProblem) -> None:
    problem = one_problem("account:\n  id: 1\n  city: " + "x" * 20_000 + "\n")
    assert problem.message == "is too long (20000 characters; at most 10000)"


@pytest.mark.parametrize(
    ("field", "first", "second", "shown"),
    [("id", "7", "7", "7"), ("code", "A", "A", "'A'"), ("name", "Ana", "Ana", "'Ana'")],
)
def test_duplicate_clients(
    one_problem: OneProblem, field: str, first: str, second: str, shown: str
) -> None:
    values = {"id": ["1", "2"], "code": ["c1", "c2"], "name": ["n1", "n2"]}
    values[field] = [first, second]
    text = "clients:\n"
    for index in range(2):
        text += "".join(
            f"{'  - ' if key == 'id' else '    '}{key}: {values[key][index]}\n"
            for key in ("id", "code", "name")
        )
    problem = one_problem(text)
    line = 5 + ("id", "code", "name").index(field)
    assert (problem.line, problem.path) == (line, f"clients[1].{field}")
    message = f"client {field} {shown} is listed more than once (first at line {line - 3})"
    assert problem.message == message


def test_duplicate_client_ids_written_differently(problems: Problems) -> None:
    found = problems("clients:\n  - {id: 7, code: a, name: a}\n  - {id: '7', code: b, name: b}\n")
    assert [p.message for p in found] == ["client id 7 is listed more than once (first at line 2)"]


def test_repeated_registered_sequence(one_problem: OneProblem) -> None:
    problem = one_problem("sequences:\n  register:\n    - 146090\n    - 146091\n    - 146090\n")
    assert (problem.line, problem.column, problem.path) == (5, 7, "sequences.register[2]")
    assert problem.message == "sequence 146090 is listed more than once (first at line 3)"


def test_all_problems_at_once(problems: Problems) -> None:
    found = problems((CASES / "five_problems.yaml").read_text())
    assert [(p.line, p.path, p.message) for p in found] == [
        (4, "account.postal_code", "Postal Code must have the following format DDDD-DDD"),
        (7, "account.credentials.password", "environment variable AT_PASSWORD is not set"),
        (12, "clients[0].emial", "unknown field 'emial' (did you mean 'email'?)"),
        (13, "clients[1]", "missing required field 'name'"),
        (13, "clients[1].id", "client id 42 is listed more than once (first at line 9)"),
    ]


def test_problems_of_every_stage_are_gathered(problems: Problems) -> None:
    text = "account:\n  id: 1\n  id: 2\n  city: ${RECONCILER_VAR_CITY}\n  language: xx\n"
    found = problems(text)
    assert [(p.line, p.message) for p in found] == [
        (3, "duplicate key 'id' (first written at line 2)"),
        (4, "environment variable RECONCILER_VAR_CITY is not set"),
        (5, "must be 'pt', 'en' or 'es', got 'xx'"),
    ]


def test_unexpanded_value_is_not_reported_twice(one_problem: OneProblem) -> None:
    text = "clients:\n  - id: 1\n    code: c\n    name: n\n    email: ${RECONCILER_VAR_EMAIL}\n"
    problem = one_problem(text)
    assert problem.message == "environment variable RECONCILER_VAR_EMAIL is not set"


@pytest.mark.parametrize(
    "text",
    [
        "account:\n  id: 1\n  password: {secret: hunter2hunter2}\n",
        "account:\n  id: 1\n  credentials: hunter2hunter2\n",
        "account:\n  id: 1\n  credentials:\n    username: 999999990/1\n    password: hunter2\n",
        "account:\n  id: 1\n  credentials:\n    username: 999999990/1\n"
        "    password: [hunter2hunter2]\n",
        "account:\n  id: 1\n  credentials:\n    username: 999999990/1\n"
        "    password: hunter2hunter2${\n",
        "account:\n  id: 1\n  credentials:\n    username: 999999990/1\n"
        "    password: ${PW}\n    pasword: x\n",
    ],
)
def test_secrets_never_appear(write: Callable[[str], Path], text: str) -> None:
    with pytest.raises(ValidationFailed) as failure:
        load_desired(write(text), {"PW": "hunter2hunter2"})
    shown = [str(failure.value), repr(failure.value), *map(repr, failure.value.problems)]
    assert not any("hunter2" in item for item in shown), shown


def test_secret_not_in_repr(load: Load) -> None:
    text = "account:\n  id: 1\n  credentials:\n    username: 999999990/1\n    password: ${PW}\n"
    desired = load(text, {"PW": "hunter2hunter2"})
    assert "hunter2" not in repr(desired)


@pytest.mark.parametrize(
    "content",
    [b"", b"   \n", b"\x00\xff\xfe garbage", "a: 1\n---\nb: 2\n", "- 1\n", "[\n"],
)
def test_bad_files_are_problems_naming_the_file(problems: Problems, content: str | bytes) -> None:
    found = problems(content)
    assert found and all(p.file.endswith("state.yaml") for p in found)


def test_a_wrong_nif_is_reported_with_the_file_s_other_problems(problems: Problems) -> None:
    """The check digits need the account and a client valid on their own; the rest of the file
    may have problems, all reported together."""
    text = (
        ACCOUNT
        + "  fiscal_id: '123456780'\n"
        + CLIENT
        + "    fiscal_id: '501234567'\n"
        + "  - id: 2\n    code: d\n    name: m\n    email: foo@bar..com\n    language: de\n"
    )
    found = sorted((problem.line, where(problem)) for problem in problems(text))
    assert [shown for _, shown in found] == [
        "3:14: account.fiscal_id: 123456780 is not a valid Portuguese NIF "
        "(its check digit is wrong)",
        "8:16: clients[0].fiscal_id: 501234567 is not a valid Portuguese NIF "
        "(its check digit is wrong)",
        "12:12: clients[1].email: 'foo@bar..com' must be an email: "
        "An email address cannot have two periods in a row.",
        "13:15: clients[1].language: must be 'pt', 'en' or 'es', got 'de'",
    ]
