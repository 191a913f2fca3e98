"""Every problem of a file is reported at once: a check that spans several fields (a NIF's
check digit depends on the country) runs on the fields it needs, whatever else is wrong."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from reconciler.cli import main
from reconciler.errors import Problem

from .conftest import Problems

NIF = "    fiscal_id: '123456780'\n"
WRONG_NIF = "123456780 is not a valid Portuguese NIF (its check digit is wrong)"


def shown(found: list[Problem]) -> list[str]:
    return sorted(f"{p.line}: {p.path}: {p.message}" for p in found)


def test_a_client_nif_is_checked_when_the_account_has_another_problem(
    problems: Problems,
) -> None:
    text = "account:\n  id: 1\n  language: fr\nclients:\n  - id: 2\n    code: A\n    name: B\n"
    assert shown(problems(text + NIF)) == [
        "3: account.language: must be 'pt', 'en' or 'es', got 'fr'",
        f"8: clients[0].fiscal_id: {WRONG_NIF}",
    ]


def test_the_accounts_nif_is_checked_beside_its_other_problems(problems: Problems) -> None:
    text = (
        "account:\n  id: 1\n  language: fr\n  fiscal_id: '123456780'\n  credentials:\n"
        "    username: 999999990/1\n    password: short\n"
    )
    assert shown(problems(text)) == [
        "3: account.language: must be 'pt', 'en' or 'es', got 'fr'",
        f"4: account.fiscal_id: {WRONG_NIF}",
        "7: account.credentials.password: AT passwords are 8 to 14 characters long",
    ]


def test_a_client_nif_is_checked_beside_the_clients_other_problems(problems: Problems) -> None:
    text = "clients:\n  - id: 2\n    code: A\n    name: B\n    send_options: 9\n"
    assert shown(problems(text + "    country: portugal\n" + NIF)) == [
        "5: clients[0].send_options: must be at most 3, got '9'",
        f"7: clients[0].fiscal_id: {WRONG_NIF}",
    ]


def test_a_country_that_cant_be_read_checks_nothing_that_depends_on_it(
    problems: Problems,
) -> None:
    """An unknown tax country is one problem: its postal code and NIFs are not judged as
    Portugal's (the country may be a foreign one once fixed)."""
    text = (
        "account:\n  id: 1\n  tax_country: Narnia\n  postal_code: '28001'\n"
        "  fiscal_id: '123456780'\nclients:\n  - id: 2\n    code: A\n    name: B\n"
    )
    assert shown(problems(text + NIF)) == [
        "3: account.tax_country: Country Narnia was not found (see the list of accepted countries)",
    ]
    client = "clients:\n  - id: 2\n    code: A\n    name: B\n    country: Portugl\n"
    assert shown(problems(client + NIF)) == [
        "5: clients[0].country: Country Portugl was not found (did you mean 'Portugal'?)",
    ]


def test_validate_reports_every_problem_of_every_file_at_once(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("account:\n  id: 1\n  language: fr\n  fiscal_id: '123456780'\n")
    client = "clients:\n  - id: 2\n    code: A\n    name: B\n    language: de\n"
    second.write_text(client + "    country: Portugal\n" + NIF)
    result = CliRunner().invoke(main, ["validate", str(first), str(second)])
    assert result.exit_code == 1
    assert "4 problems found" in result.stderr
    for where in ("a.yaml:3:13", "a.yaml:4:14", "b.yaml:5:15", "b.yaml:7:16"):
        assert where in result.stderr, result.stderr
