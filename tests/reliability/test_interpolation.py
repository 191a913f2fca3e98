"""A pull request's desired file can't print CI's secrets: through every command that shows it.

The desired file is written by whoever opens a pull request, and ``plan`` runs on it with CI's
secrets in the environment. An ordinary field reads only the variables the operator allowed,
and holds no secret in play however it got there; the run fails at the field, nothing is
planned, written or sent, and no secret shows up anywhere (stdout, stderr and its debug log,
any file left).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from reconciler.desired.document import load_desired
from reconciler.desired.envexpand import escaped
from reconciler.workflows.session import desired_secrets, redactor_for
from tests.support.cli_process import run_cli

from .test_secrets import forms

EXAMPLE = Path(__file__).resolve().parents[2] / "state.example.yaml"
API_KEY = "SENTINEL-ixp-key-4242"
SECRET_ENV = {
    "INVOICEXPRESS_API_KEY": API_KEY,
    "INVOICEXPRESS_API_KEY_PORTO": "SENTINEL-porto-key-777",
    "GITHUB_TOKEN": "ghs_SENTINELgithubToken0123",
    "AT_PASSWORD": "AtSent#2718",
    "RECONCILER_DIGEST_KEY": "SENTINEL-digest-key-55",
}
STATE_URL = {"RECONCILER_STATE_URL": "postgresql://app:SENTINEL-dbpass-03@127.0.0.1:1/x"}
"""A known state in a database no run reaches: each is refused before it is opened."""
SECRETS = {*SECRET_ENV.values(), "SENTINEL-dbpass-03"}
COMMANDS = {
    "plan": ["plan", "--sandbox"],
    "plan json": ["plan", "--sandbox", "--format", "json"],
    "plan markdown": ["plan", "--sandbox", "--format", "markdown"],
    "plan out": ["plan", "--sandbox", "--out", "saved-plan.json"],
    "validate github": ["validate", "--error-format", "github"],
    "apply": ["apply", "--sandbox", "--auto-approve"],
}
# (what the file says, where, the field path, extra environment)
CASES = {
    "GITHUB_TOKEN in a client's name": (
        "    name: Cliente Exemplo, S.A.\n",
        '    name: "${GITHUB_TOKEN}"\n',
        "clients[1].name",
        {},
    ),
    "the API key in the account's city": (
        "  city: Lisbon\n",
        '  city: "${INVOICEXPRESS_API_KEY}"\n',
        "account.city",
        {},
    ),
    "the AT password in the address": (
        "  address: Avenida Duque D'Avila, Saldanha\n",
        '  address: "${AT_PASSWORD}"\n',
        "account.address",
        {},
    ),
    "another account's key": (
        "    city: Porto\n",
        "    city: ${INVOICEXPRESS_API_KEY_PORTO}\n",
        "clients[1].city",
        {},
    ),
    "the state URL": (
        "    observations: Added to the observations of every invoice sent to this client.\n",
        "    observations: 'state at ${RECONCILER_STATE_URL}'\n",
        "clients[0].observations",
        STATE_URL,
    ),
    "an allowed variable that holds the API key": (
        "  city: Lisbon\n",
        "  city: ${RECONCILER_VAR_CITY}\n",
        "account.city",
        {"RECONCILER_VAR_CITY": API_KEY},
    ),
    "a token the operator allowed by name": (
        "    name: Cliente Exemplo, S.A.\n",
        "    name: ${GITHUB_TOKEN}\n",
        "clients[1].name",
        {"RECONCILER_ALLOWED_VARS": "GITHUB_TOKEN"},
    ),
    "the API key written as it is": (
        "  last_name: Silva\n",
        f"  last_name: Silva {escaped(API_KEY)}\n",
        "account.last_name",
        {},
    ),
    "the state URL's password in an allowed variable": (
        "    city: Porto\n",
        "    city: 'Porto ${RECONCILER_VAR_PLACE}'\n",
        "clients[1].city",
        {"RECONCILER_VAR_PLACE": "SENTINEL-dbpass-03", **STATE_URL},
    ),
}


def leaks(text: str) -> list[str]:
    """The secrets ``text`` shows, in any form (raw, percent-encoded, Base64)."""
    return sorted({secret for secret in SECRETS for form in forms(secret) if form in text})


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working folder (the known state goes under it) holding a copy of the example."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(EXAMPLE, tmp_path / "state.yaml")
    yield tmp_path


def _edit(folder: Path, old: str, new: str) -> None:
    file = folder / "state.yaml"
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    file.write_text(text.replace(old, new), encoding="utf-8")


def _line_of(folder: Path, written: str) -> int:
    lines = (folder / "state.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    return lines.index(written) + 1


def _files(folder: Path) -> dict[Path, str]:
    return {p: p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", CASES)
def test_a_secret_reaches_no_output_and_the_run_names_the_field(
    folder: Path, case: str, command: str
) -> None:
    old, new, path, extra = CASES[case]
    _edit(folder, old, new)
    line = _line_of(folder, new)
    column = len(new) - len(new.lstrip(" ")) + len(new.strip().split(":")[0]) + 3
    before = _files(folder)
    result = run_cli(["-v", *COMMANDS[command], "-f", "state.yaml"], {**SECRET_ENV, **extra})
    assert result.exit_code == 1, result.output
    output = result.stdout + result.stderr
    assert leaks(output) == [], output
    if command == "validate github":
        assert f"line={line},col={column},title=reconciler%3A {path}::" in result.stderr
    else:
        assert f"state.yaml:{line}:{column}: {path}: " in result.stderr
    assert "No changes" not in output and "Plan:" not in output
    assert _files(folder) == before  # nothing written: no known state, no sandbox data


def test_the_error_names_the_variable_and_how_the_operator_allows_it(folder: Path) -> None:
    _edit(folder, "  city: Lisbon\n", "  city: ${GITHUB_TOKEN}\n")
    result = run_cli(["plan", "--sandbox", "-f", "state.yaml"], SECRET_ENV)
    assert result.exit_code == 1
    line = _line_of(folder, "  city: ${GITHUB_TOKEN}\n")
    assert (
        f"state.yaml:{line}:9: account.city: environment variable GITHUB_TOKEN is not allowed "
        "here: the operator allows one by naming it RECONCILER_VAR_<NAME> or by listing it in "
        "RECONCILER_ALLOWED_VARS"
    ) in result.stderr


def test_a_settings_file_cannot_allow_a_variable(folder: Path) -> None:
    (folder / "ci.env").write_text("RECONCILER_ALLOWED_VARS=GITHUB_TOKEN,CITY\n")
    _edit(folder, "  city: Lisbon\n", "  city: ${CITY}\n")
    env = {**SECRET_ENV, "CITY": "Braga"}
    result = run_cli(["plan", "--sandbox", "--env-file", "ci.env", "-f", "state.yaml"], env)
    assert result.exit_code == 1
    assert (
        "ci.env:1: RECONCILER_ALLOWED_VARS: read only from the process environment" in result.stderr
    )
    assert "Braga" not in result.output


def _applied(folder: Path, run: Callable[[list[str]], str]) -> dict[str, object]:
    run(["apply", "--sandbox", "--auto-approve", "-f", "state.yaml"])
    [state_file] = (folder / ".reconciler" / "sandbox").glob("*.state.json")
    document = json.loads(state_file.read_text())
    assert isinstance(document, dict)
    return document


@pytest.mark.parametrize(
    ("reference", "extra"),
    [
        ("${RECONCILER_VAR_CITY}", {"RECONCILER_VAR_CITY": "Porto"}),
        ("${CITY}", {"CITY": "Porto", "RECONCILER_ALLOWED_VARS": "REGION,CITY"}),
        ("${RECONCILER_VAR_CITY:-Porto}", {}),
    ],
)
def test_a_variable_the_operator_allowed_is_planned_applied_and_recorded(
    folder: Path, reference: str, extra: dict[str, str]
) -> None:
    _edit(folder, "  city: Lisbon\n", f"  city: {reference}\n")
    env = {**SECRET_ENV, **extra}

    def run(args: list[str]) -> str:
        result = run_cli(args, env)
        assert result.exit_code == 0, result.output
        assert leaks(result.stdout + result.stderr) == []
        return result.stdout

    planned = run(["plan", "--sandbox", "-f", "state.yaml"])
    assert 'city: "Porto"' in planned
    document = _applied(folder, run)
    assert '"city": "Porto"' in json.dumps(document)
    for file, text in _files(folder).items():
        if file.name != "state.data.json":  # the sandbox keeps the AT password, as the API does
            assert leaks(text) == [], file
    assert "No changes." in run(["plan", "--sandbox", "-f", "state.yaml"])


def test_an_error_that_echoes_the_file_shows_no_secret_of_the_environment(folder: Path) -> None:
    # A repeated key is echoed ("duplicate key ..."): the environment's secrets are redacted.
    token = SECRET_ENV["GITHUB_TOKEN"]
    _edit(folder, "  city: Lisbon\n", f"  city: Lisbon\n  {token}: x\n  {token}: y\n")
    result = run_cli(["validate", "--error-format", "github", "state.yaml"], SECRET_ENV)
    assert result.exit_code == 1
    assert "::duplicate key '(sensitive)'" in result.stderr
    assert "a key holds the value of a secret" in result.stderr and leaks(result.stderr) == []


def test_the_redactor_of_a_run_knows_every_secret_in_play(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {**SECRET_ENV, **STATE_URL}.items():
        monkeypatch.setenv(name, value)
    desired = load_desired(folder / "state.yaml", os.environ)
    redact = redactor_for(desired)
    for secret in SECRETS:
        assert redact(f"echo {secret}!") == "echo (sensitive)!", secret
    assert set(desired_secrets(desired)) >= SECRETS


def test_allow_unset_env_does_not_excuse_a_variable_that_is_not_allowed(folder: Path) -> None:
    _edit(folder, "  city: Lisbon\n", "  city: ${DEPLOY_CITY}\n")
    result = run_cli(["validate", "--allow-unset-env", "state.yaml"], SECRET_ENV)
    assert result.exit_code == 1
    assert "environment variable DEPLOY_CITY is not allowed here" in result.stderr


def _database_text(url: str) -> str:
    """Every row of every table of the database, as text."""
    with psycopg.connect(url) as connection:
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
        assert tables, "the known state was not stored in the database"
        rows = [
            connection.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(name))).fetchall()
            for (name,) in tables
        ]
    return repr(rows)


def test_the_known_state_in_postgresql_never_holds_its_urls_password(
    folder: Path, postgres_url: str
) -> None:
    password = "SENTINEL-dbpass-03"
    url = postgres_url.replace("://postgres@", f"://postgres:{password}@")
    env = {**SECRET_ENV, "RECONCILER_STATE_URL": url, "RECONCILER_VAR_PLACE": password}
    apply = ["-v", "apply", "--sandbox", "--auto-approve", "-f", "state.yaml"]
    _edit(folder, "    city: Porto\n", "    city: ${RECONCILER_VAR_PLACE}\n")
    refused = run_cli(apply, env)
    assert refused.exit_code == 1, refused.output
    assert "clients[1].city: holds the value of a secret" in refused.stderr
    _edit(folder, "    city: ${RECONCILER_VAR_PLACE}\n", "    city: Porto\n")
    applied = run_cli(apply, env)
    assert applied.exit_code == 0, applied.output
    for text in (refused.stdout, refused.stderr, applied.stdout, applied.stderr):
        assert leaks(text) == [], text
    assert leaks(_database_text(postgres_url)) == []
    assert '"city": "Porto"' in _database_text(postgres_url).replace("'", '"')
