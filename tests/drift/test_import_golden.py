"""Import's files, byte for byte: each case edits the sandbox, maybe writes a starting file, runs
``reconciler import`` against the sandbox over HTTP, and compares the file written and what the
command printed with ``import_golden/<case>.yaml`` and ``<case>.out``.

``RECONCILER_WRITE_GOLDEN=1`` writes the golden files instead (review the diff before keeping it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.drift.conftest import applied, write
from tests.support.cli_env import Env

GOLDEN = Path(__file__).parent / "import_golden"


def _credentials(data: dict[str, Any]) -> None:
    data["account"]["credentials"] = {
        "username": "999999990/1",
        "password": "c2VjcmV0LXBhc3M=",
        "type": "AT",
        "context": "Sequences",
    }


def _sequence(data: dict[str, Any], identifier: int) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in data["sequences"] if int(s["id"]) == identifier)
    return found


def _register(data: dict[str, Any], identifier: int) -> None:
    sequence = _sequence(data, identifier)
    for key in [k for k in sequence if k.endswith("_validation_code")]:
        sequence[key] = f"AAJF{identifier}"


def _make_default(data: dict[str, Any], identifier: int) -> None:
    for sequence in data["sequences"]:
        sequence["default_sequence"] = "1" if int(sequence["id"]) == identifier else "0"


def _busy(data: dict[str, Any]) -> None:
    """Secrets, dollars, characters that do not print and a serie that breaks a line."""
    _credentials(data)
    data["account"]["address"] = "Rua do ${HOME} $$1"
    data["account"]["tax_country"] = "176"
    data["account"]["marketing"] = "1"
    client = next(c for c in data["clients"] if c["id"] == 42)
    client.update(observations="line one\x85line two", website="a ${ b", city="\tPorto")
    _sequence(data, 146130)["serie"] = "20\n26"
    _register(data, 146130)


def _drifted(data: dict[str, Any]) -> None:
    """What a hand in the web app changes after the example was applied."""
    next(c for c in data["clients"] if c["id"] == 43).update(city="Braga", email="x$y@ex.pt")
    data["account"]["phone"] = "219999999"
    data["account"]["city"] = "Lisboa\u2028Norte"
    _register(data, 146130)
    _make_default(data, 146130)


BY_SERIE = """\
# clients by code and sequences by serie; no account section
sequences:
  default: "2025"   # the serie
  register: ["2025"]
clients:
  - code: C-0043  # by code
    name: Cliente Exemplo, S.A.
    city: ${RECONCILER_VAR_CITY}
    email: old@exemplo.pt
  - id: 42
    code: "12345"
    name: Client Name
    phone: "213456789"
  - code: C-9999  # on no account
    name: Nobody
"""

ACCOUNT_ONLY = """\
account:
  id: 12345
  city: 'Lisboa'  # quoted
  marketing: 0
"""


@dataclass(frozen=True)
class Case:
    """One import: the sandbox's edit, how the file starts, and the extra arguments."""

    edit: Callable[[dict[str, Any]], None]
    start: Callable[[Env], None]
    args: tuple[str, ...] = ("--account-id", "12345")


def _no_file(env: Env) -> None:
    env.desired.unlink()


def _by_serie(env: Env) -> None:
    write(env, BY_SERIE)
    env.sandbox.edit(lambda data: _register(data, 146090))


def _account_only(env: Env) -> None:
    write(env, ACCOUNT_ONLY)


CASES = {
    "account_only_updated_in_place": Case(_busy, _account_only, ()),
    "new_from_a_busy_account": Case(_busy, _no_file),
    "new_from_the_demo_account": Case(lambda data: None, _no_file),
    "example_updated_in_place": Case(_drifted, applied, ()),
    "by_serie_and_code_updated_in_place": Case(_busy, _by_serie),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_import_writes_the_golden_file(env: Env, name: str) -> None:
    case = CASES[name]
    case.start(env)
    env.sandbox.edit(case.edit)
    result = env.run(
        "import", "-f", str(env.desired), *case.args, env={"RECONCILER_VAR_CITY": "Lisboa"}
    )
    assert result.exit_code == 0, result.output
    written = env.desired.read_text("utf-8")
    printed = result.output.replace(str(env.folder), "<folder>")
    if os.environ.get("RECONCILER_WRITE_GOLDEN") == "1":
        (GOLDEN / f"{name}.yaml").write_text(written, "utf-8")
        (GOLDEN / f"{name}.out").write_text(printed, "utf-8")
    assert written == (GOLDEN / f"{name}.yaml").read_text("utf-8")
    assert printed == (GOLDEN / f"{name}.out").read_text("utf-8")
