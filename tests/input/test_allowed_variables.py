"""Which variables a desired file may read, and which values it may never hold.

An ordinary field reads only ``RECONCILER_VAR_*`` variables and those the operator lists in
``RECONCILER_ALLOWED_VARS``; a secret field (the passwords) reads any. No field but a secret
one may hold a secret in play (an API key, a token, a password), however it got there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reconciler.desired.document import Desired, load_desired
from reconciler.desired.envexpand import escaped
from reconciler.desired.secrets_in_play import (
    SecretScreen,
    allows,
    environment_secrets,
    secrets_in_play,
)
from reconciler.errors import Problem, ValidationFailed

from .conftest import Problems

AT_PASSWORD = "AtPass#2024"
ACCOUNT = (
    "account:\n"
    "  id: 1\n"
    "  city: {city}\n"
    "  credentials:\n"
    "    username: 999999990/1\n"
    "    password: ${{AT_PASSWORD}}\n"
)
KEY = "ixp-key-0123456789abcdef"
ENV = {"AT_PASSWORD": AT_PASSWORD, "INVOICEXPRESS_API_KEY": KEY}


def _problems(problems: Problems, city: str, **environ: str) -> list[Problem]:
    return problems(ACCOUNT.format(city=city), {**ENV, **environ})


def _shown(found: list[Problem]) -> str:
    return "\n".join(map(str, found))


@pytest.mark.parametrize(
    "reference",
    ["${GITHUB_TOKEN}", "${HOME}", "${GITHUB_TOKEN:-Lisboa}", "'Rua ${UNSET_ANYWHERE} 1'"],
)
def test_an_ordinary_field_may_not_read_a_variable_the_operator_did_not_allow(
    problems: Problems, reference: str
) -> None:
    found = _problems(problems, reference, GITHUB_TOKEN="ghp_0123456789abcdefghij", HOME="/root")
    [problem] = found
    name = reference.strip("'").split("${")[1].split("}")[0].split(":-")[0]
    assert (problem.line, problem.column, problem.path) == (3, 9, "account.city")
    assert problem.message == (
        f"environment variable {name} is not allowed here: the operator allows one by naming "
        "it RECONCILER_VAR_<NAME> or by listing it in RECONCILER_ALLOWED_VARS"
    )
    assert "ghp_" not in _shown(found) and "/root" not in _shown(found)


def test_a_reconciler_var_variable_is_read(load: Callable[..., Desired]) -> None:
    text = ACCOUNT.format(city="${RECONCILER_VAR_CITY}")
    desired = load(text, {**ENV, "RECONCILER_VAR_CITY": "Porto"})
    assert desired.state.account is not None and desired.state.account.city == "Porto"


@pytest.mark.parametrize("allowed", ["CITY", "OTHER,CITY", " OTHER , CITY ,"])
def test_a_variable_listed_in_reconciler_allowed_vars_is_read(
    load: Callable[..., Desired], allowed: str
) -> None:
    environ = {**ENV, "CITY": "Braga", "RECONCILER_ALLOWED_VARS": allowed}
    desired = load(ACCOUNT.format(city="${CITY}"), environ)
    assert desired.state.account is not None and desired.state.account.city == "Braga"


def test_a_default_is_used_for_an_allowed_variable_that_is_unset(
    load: Callable[..., Desired],
) -> None:
    desired = load(ACCOUNT.format(city="${RECONCILER_VAR_CITY:-Faro}"), ENV)
    assert desired.state.account is not None and desired.state.account.city == "Faro"


def test_a_secret_field_reads_any_variable(load: Callable[..., Desired]) -> None:
    desired = load(
        ACCOUNT.format(city="Lisboa") + "  password: ${ACCOUNT_PASSWORD}\n",
        {
            **ENV,
            "ACCOUNT_PASSWORD": "Acct#Pass99",
        },
    )
    account = desired.state.account
    assert account is not None and account.credentials is not None
    assert account.credentials.password.get_secret_value() == AT_PASSWORD
    assert account.password is not None and account.password.get_secret_value() == "Acct#Pass99"


def test_an_allowed_variable_holding_a_secret_is_refused(problems: Problems) -> None:
    found = _problems(problems, "${RECONCILER_VAR_CITY}", RECONCILER_VAR_CITY=KEY)
    [problem] = found
    assert (problem.line, problem.column, problem.path) == (3, 9, "account.city")
    assert problem.message.startswith("holds the value of a secret")
    assert KEY not in _shown(found)


@pytest.mark.parametrize(
    ("city", "environ"),
    [
        (KEY, {}),  # the API key, written as it is
        (f"Rua {KEY} 1", {}),  # ... or inside other text
        (AT_PASSWORD, {}),  # the AT password a secret field expanded to
        ("porto-key-abcdef0123", {"INVOICEXPRESS_API_KEY_PORTO": "porto-key-abcdef0123"}),
        ("dg-0123456789", {"RECONCILER_DIGEST_KEY": "dg-0123456789"}),
        ("pg#pass%word", {"RECONCILER_STATE_URL": "postgresql://u:pg%23pass%25word@db/x"}),
        ("pg-secret-99", {"RECONCILER_STATE_URL_PORTO": "postgresql://db/x?password=pg-secret-99"}),
        ("ghp_abcdefghij", {"GITHUB_TOKEN": "ghp_abcdefghij"}),
        ("wJalrXUtnFEMI/K7", {"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7"}),
        ("s3cr", {"db_passwd": "s3cr"}),  # four characters, equal
        ("abc" + "apiKey-value", {"apiKey": "apiKey-value"}),
    ],
)
def test_a_literal_secret_in_an_ordinary_field_is_refused(
    problems: Problems, city: str, environ: Mapping[str, str]
) -> None:
    found = _problems(problems, f'"{escaped(city)}"', **environ)
    [problem] = found
    assert (problem.line, problem.path) == (3, "account.city")
    assert city not in _shown(found)


@pytest.mark.parametrize(
    ("city", "environ"),
    [
        ("abc", {"GITHUB_TOKEN": "abc"}),  # secrets under four characters are ignored
        ("Rua s3cr 1", {"DB_PASSWORD": "s3cr"}),  # under eight: only an equal value counts
        ("Lisboa", {"KEYBOARD": "Lisboa", "MONKEY_CITY": "Lisboa", "TOKENIZER": "Lisboa"}),
        ("true", {"USE_KEY": "true"}),  # a flag is not a secret
        ("None", {"NO_PASSWORD": "None"}),
    ],
)
def test_values_that_are_not_secrets_pass(
    load: Callable[..., Desired], city: str, environ: Mapping[str, str]
) -> None:
    desired = load(ACCOUNT.format(city=f'"{city}"'), {**ENV, **environ})
    assert desired.state.account is not None and desired.state.account.city == city


def test_the_rule_is_read_from_the_environment_only(problems: Problems) -> None:
    # A file can't list what it may read: the options it may declare don't include it.
    text = ACCOUNT.format(city="${CITY}") + "options:\n  RECONCILER_ALLOWED_VARS: CITY\n"
    found = problems(text, {**ENV, "CITY": "Braga"})
    assert [p.path for p in found] == ["account.city", "options.RECONCILER_ALLOWED_VARS"]


def test_every_refused_field_is_reported_with_its_clients_position(problems: Problems) -> None:
    text = (
        "clients:\n"
        "  - id: 1\n    code: c1\n    name: ${GITHUB_TOKEN}\n"
        "  - id: 2\n    code: c2\n    name: n2\n    observations: 'see ${RECONCILER_VAR_K}'\n"
    )
    found = problems(text, {"GITHUB_TOKEN": "ghp_" + "x" * 36, "RECONCILER_VAR_K": KEY, **ENV})
    assert [(p.line, p.column, p.path) for p in found] == [
        (4, 11, "clients[0].name"),
        (8, 19, "clients[1].observations"),
    ]
    assert "ghp_" not in _shown(found) and KEY not in _shown(found)


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("GITHUB_TOKEN", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("AT_PASSWORD", True),
        ("MYSQL_PASSWD", True),
        ("INVOICEXPRESS_API_KEY_PORTO", True),
        ("RECONCILER_DIGEST_KEY", True),
        ("npm_token", True),
        ("apiKey", True),
        ("DEPLOY_KEYS", True),
        ("KEYBOARD", False),
        ("MONKEY", False),
        ("TOKENIZER_PATH", False),
        ("HOME", False),
        ("RECONCILER_VAR_CITY", False),
    ],
)
def test_which_variables_hold_secrets(name: str, secret: bool) -> None:
    assert (environment_secrets({name: "value-1234"}) == {"value-1234"}) is secret


def test_the_state_urls_password_is_a_secret_and_the_rest_of_the_url_is_not() -> None:
    found = environment_secrets({"RECONCILER_STATE_URL": "postgresql://app:p%40ss-word@db:5432/x"})
    assert "p@ss-word" in found and "postgresql" not in " ".join(found)


def test_secrets_in_play_joins_the_environment_and_the_declared_secrets() -> None:
    found = secrets_in_play({"GITHUB_TOKEN": "ghp_123456", "HOME": "/root"}, ["AtPass#1", "ab"])
    assert found == {"ghp_123456", "AtPass#1"}


def test_allows() -> None:
    environ = {"RECONCILER_ALLOWED_VARS": "CITY, REGION"}
    assert allows("RECONCILER_VAR_X", environ) and allows("REGION", environ)
    assert allows("RECONCILER_VAR_X", {}) and not allows("GITHUB_TOKEN", environ)
    assert not allows("CITY", {"CITY": "x"}) and not allows("", environ)


FIELD_PLACES = [
    ("account", "address"),
    ("account", "organization_name"),
    ("clients", "name"),
    ("clients", "observations"),
    ("clients", "city"),
]
secret_text = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=4, max_size=40
).filter(lambda text: text.lower() not in ("true", "false", "null", "none"))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    secret=secret_text,
    place=st.sampled_from(FIELD_PLACES),
    through=st.sampled_from(["literal", "variable"]),
    padded=st.booleans(),
)
def test_a_secret_in_any_ordinary_field_is_refused_and_never_shown(
    tmp_path: Path, secret: str, place: tuple[str, str], through: str, padded: bool
) -> None:
    padded = padded and len(secret) >= 8
    value = f"x {secret} y" if padded else secret
    section, field = place
    path = f"account.{field}" if section == "account" else f"clients[0].{field}"
    file = tmp_path / "state.yaml"

    def document(value: str) -> str:
        written = "${RECONCILER_VAR_V}" if through == "variable" else escaped(value)
        quoted = '"' + written.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if section == "account":
            return f"account:\n  id: 1\n  {field}: {quoted}\n"
        text = f"clients:\n  - id: 1\n    code: c\n    name: n\n    {field}: {quoted}\n"
        return text.replace("    name: n\n", "") if field == "name" else text

    def refused(secret: str, value: str) -> ValidationFailed:
        file.write_text(document(value), encoding="utf-8")
        with pytest.raises(ValidationFailed) as failure:
            load_desired(file, {"DEPLOY_TOKEN": secret, "RECONCILER_VAR_V": value})
        return failure.value

    # What the file and the error say whatever the secret (keys, the field's path, the
    # message's words) is no leak when a secret happens to spell it.
    stand_in = "Zq9Zq9Zq9Zq9"
    harmless = refused(stand_in, value.replace(secret, stand_in))
    said = document(stand_in) + str(harmless) + _shown(harmless.problems)
    assume(secret not in said)
    failure = refused(secret, value)
    assert [p.path for p in failure.problems] == [path]
    assert secret not in str(failure) and secret not in _shown(failure.problems)


@settings(max_examples=300, deadline=None)
@given(
    secrets=st.lists(st.text(min_size=1, max_size=12), max_size=4),
    texts=st.lists(st.text(max_size=24), max_size=6),
    planted=st.integers(min_value=0, max_value=7),
)
def test_the_screen_over_all_values_agrees_with_each_value_on_its_own(
    secrets: list[str], texts: list[str], planted: int
) -> None:
    if secrets and texts:  # often put a secret in, whole or inside
        index = planted % len(texts)
        secret = secrets[planted % len(secrets)]
        texts[index] = secret if planted % 2 else f"{texts[index]}{secret}!"
    screen = SecretScreen(secrets)
    each = any(screen.holds(text) for text in texts)
    if each:
        assert screen.any_holds(texts)  # never misses one
    elif not any("\0" in text for text in texts + secrets):
        assert not screen.any_holds(texts)  # and says no alike, but for its separator


def test_a_key_that_is_a_secret_is_refused_without_showing_any_part_of_it(
    problems: Problems,
) -> None:
    token = "github_pat_" + "A1b2C3d4E5" * 8  # longer than a message echoes: a prefix would show
    found = problems(f"account:\n  id: 1\n  city: Lisboa\n  {token}: x\n", {"GH_TOKEN": token})
    [problem] = found
    assert (problem.line, problem.column, problem.path) == (4, 3, "account")
    assert problem.message.startswith("a key holds the value of a secret")
    assert token[:12] not in _shown(found)
