"""One reading of a scalar: a value the API or another YAML reader would read otherwise is refused.

Whole numbers are decimal digits only: no ``_``, no sign, no float, none of YAML 1.1's forms
(``0x``, ``0o``, ``1_000``, sexagesimal). Patterns are ASCII-only and match the whole value.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli_process import environment, run_cli

ENV = environment("http://127.0.0.1:9")  # never reached: validate makes no call
CLIENT = "clients:\n  - id: {id}\n    code: A\n    name: Alpha\n    send_options: {send}\n"
NUMBERS = ["4_2", "+42", "0x2A", "0o52", "052", "1_000", "12345.0", "4.2e1", "1:30", "٤٢", "४२"]


def _validate(tmp_path: Path, text: str) -> tuple[int, str, Path]:
    desired = tmp_path / "state.yaml"
    desired.write_text(text, encoding="utf-8")
    result = run_cli(["validate", "-f", str(desired)], ENV)
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr, desired


def test_plain_decimal_numbers_are_accepted(tmp_path: Path) -> None:
    code, stderr, _ = _validate(tmp_path, CLIENT.format(id="42", send="2"))
    assert code == 0, stderr


@pytest.mark.parametrize("number", NUMBERS)
def test_a_client_id_that_is_not_decimal_digits_is_refused(tmp_path: Path, number: str) -> None:
    code, stderr, desired = _validate(tmp_path, CLIENT.format(id=number, send="2"))
    assert code == 1, stderr
    assert f"{desired}:2:9: clients[0].id: expected a whole number in decimal digits" in stderr


@pytest.mark.parametrize("number", ["2.0", "+2", "0x2", "0_2", "٢", '"2\n"'])
def test_send_options_that_are_not_decimal_digits_are_refused(tmp_path: Path, number: str) -> None:
    code, stderr, desired = _validate(tmp_path, CLIENT.format(id="42", send=number))
    assert code == 1, stderr
    assert f"{desired}:5:19: clients[0].send_options: expected a whole number" in stderr


def test_an_account_id_of_0_is_refused(tmp_path: Path) -> None:
    code, stderr, desired = _validate(tmp_path, "account:\n  id: 0\n")
    assert code == 1, stderr
    assert f"{desired}:2:7: account.id: must be greater than 0" in stderr


@pytest.mark.parametrize("number", ["1_2345", "12345.0", "+12345", "0x3039", "-12345"])
def test_an_account_id_that_is_not_decimal_digits_is_refused(tmp_path: Path, number: str) -> None:
    code, stderr, desired = _validate(tmp_path, f"account:\n  id: {number}\n")
    assert code == 1, stderr
    assert f"{desired}:2:7: account.id: expected a whole number in decimal digits" in stderr


@pytest.mark.parametrize("number", ["1_46090", "146090.0", "0x23AAA"])
def test_a_sequence_id_that_is_not_decimal_digits_is_refused(tmp_path: Path, number: str) -> None:
    code, stderr, desired = _validate(tmp_path, f"sequences:\n  default: {number}\n")
    assert code == 1, stderr
    assert f"{desired}:2:12: sequences.default:" in stderr


def test_4_2_is_not_a_second_spelling_of_42(tmp_path: Path) -> None:
    text = CLIENT.format(id="42", send="2") + "  - id: 4_2\n    code: B\n    name: Beta\n"
    code, stderr, desired = _validate(tmp_path, text)
    assert code == 1, stderr
    assert f"{desired}:6:9: clients[1].id:" in stderr


ACCOUNT = "account:\n  id: 12345\n  postal_code: {postal}\n  credentials:\n    username: {user}\n"
ACCOUNT += "    password: secret-123\n"


@pytest.mark.parametrize(
    ("postal", "user", "where", "message"),
    [
        ('"١٠٠٠-٠٠١"', "999999990/1", "3:16: account.postal_code", "Postal Code"),
        ('"1000-001\\n"', "999999990/1", "3:16: account.postal_code", "Postal Code"),
        ("1000-001", '"٩٩٩٩٩٩٩٩٠/1"', "5:15: account.credentials.username", "Username"),
        ("1000-001", '"999999990/1\\n"', "5:15: account.credentials.username", "Username"),
        ("1000-001", '"999999990/١"', "5:15: account.credentials.username", "Username"),
    ],
)
def test_patterns_take_ascii_digits_and_the_whole_value(
    tmp_path: Path, postal: str, user: str, where: str, message: str
) -> None:
    code, stderr, desired = _validate(tmp_path, ACCOUNT.format(postal=postal, user=user))
    assert code == 1, stderr
    assert f"{desired}:{where}: {message}" in stderr


def test_a_tax_country_in_other_digits_is_refused(tmp_path: Path) -> None:
    code, stderr, desired = _validate(tmp_path, 'account:\n  id: 12345\n  tax_country: "١"\n')
    assert code == 1, stderr
    assert f"{desired}:3:16: account.tax_country:" in stderr
