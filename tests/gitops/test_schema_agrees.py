"""The editor's schema says what ``validate`` says, wherever that can be said without the
network or arithmetic: over generated documents, good and bad, a real JSON Schema validator
(Draft 2020-12) flags a document exactly when ``validate`` refuses it, but for the exceptions
named in ``EXCEPTIONS`` (each shown below to be one)."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from reconciler.desired.document import load_desired
from reconciler.desired.schema import desired_state_schema
from reconciler.errors import Problem, ValidationFailed

SCHEMA = desired_state_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

# What the schema can't say, with a file that shows each: (validate accepts, schema accepts).
# Generated documents avoid all but the first two and the last, which are told apart by their
# messages (a password of `true` or `97531864` can meet a flag or a number of the same text).
EXCEPTIONS: dict[str, tuple[str, bool, bool]] = {
    "a NIF's check digit (arithmetic)": (
        "clients:\n  - {code: A, name: B, country: Portugal, fiscal_id: '123456780'}\n",
        False,
        True,
    ),
    "client ids, codes and names unique across the list": (
        "clients:\n  - {code: A, name: B}\n  - {code: A, name: C}\n",
        False,
        True,
    ),
    "a country in another case or without accents (validate reads it; write it as listed)": (
        "clients:\n  - {code: A, name: B, country: portugal}\n",
        True,
        False,
    ),
    "a number spelled otherwise (leading zero, sign, 0x, 42.0): the editor reads the number": (
        "clients:\n  - {id: 042, code: A, name: B}\n",
        False,
        True,
    ),
    "a serie repeated with other surrounding spaces (validate strips them)": (
        "sequences:\n  register: ['2025', ' 2025']\n",
        False,
        True,
    ),
    "an email's finer syntax (email-validator's rules, beyond one @ and a dotted domain)": (
        "clients:\n  - {code: A, name: B, email: a..b@c.pt}\n",
        False,
        True,
    ),
    "${VAR} and $$: the editor sees them unexpanded": (
        "account:\n  id: 1\n  credentials: {username: 999999990/1, password: '${X}$$'}\n",
        False,
        True,
    ),
    "a quoted id of 19 digits from 2^63": (
        "clients:\n  - {id: '9300000000000000000', code: A, name: B}\n",
        False,
        True,
    ),
    "a secret's value written in another field (validate knows the secrets in play)": (
        "account:\n  id: 1\n  password: true\n  terms: true\n",
        False,
        True,
    ),
}
FILTERED = re.compile(
    r"is not a valid Portuguese NIF|client (id|code|name) .* is listed more than once"
    r"|holds the value of a secret"
)
"""The messages of the generated exceptions, which the comparison leaves out."""

# Values as a YAML file spells them, good and bad alike: validate is the oracle.
IDS = ["1", "42", "'42'", '"7"', "0", "-1", "abc", "1.5", "true", "null", "[1]"]
IDS += ["9223372036854775807", "9223372036854775808", "'0'", "'x1'"]
TEXTS = ["Lisboa", "''", "0213456789", "true", "12.5", "[a]", "{a: 1}", "null", "'x'"]
EMAILS = ["ana@example.pt", "'ana@example.pt'", "' ana@example.pt '", "not-an-email", "''"]
EMAILS += ["12", "true", "null", "[a@b.pt]"]
COUNTRIES = ["Portugal", "Spain", "Kosovo", "Narnia", "'Portugal'", "1", "null", "''"]
TAX_COUNTRIES = ["1", "'1'", "Portugal", "Spain", "Kosovo", "0", "999", "'999'", "Narnia"]
TAX_COUNTRIES += ["'01'", "2", "null", "' 1 '", "true", "Ireland"]
POSTAL_CODES = ["1500-555", "'1500-555'", "1500", "28001", "'28001'", "''", "null", "1500-55"]
LANGUAGES = ["pt", "en", "es", "fr", "PT", "null", "1"]
FLAGS = ["1", "0", "true", "false", "'1'", "'0'", "'true'", "2", "yes", "null", "' 1 '"]
SEND_OPTIONS = ["1", "3", "'2'", "0", "4", "'4'", "'02'", "two", "null", "2.5"]
USERNAMES = ["999999990/1", "'999999990/1'", "999999990", "12345/1", "'abc'", "999999990/"]
USERNAMES += ["null", "٩٩٩٩٩٩٩٩٠/1"]
# No password value can be found inside a text value: '#' is in no generated text.
AT_PASSWORDS = ["pw#45678", "pw#4567890123", "pw#45678901234", "pw#4", "97531864", "true"]
AT_PASSWORDS += ["null", "123", "''", "[pw#45678]"]
LOGIN_PASSWORDS = ["Login#pw1", "97531864", "true", "null", "[a]"]
CREDENTIAL_TYPES = ["AT", "'AT'", "at", "null"]
CONTEXTS = ["Sequences", "sequences", "null"]
SEQUENCES = ["146090", "'2025'", "'  '", "''", "0", "-3", "1.5", "true", "null", "[1]"]
SEQUENCES += ["9223372036854775808", "S2025"]
BOOLEANS = ["true", "false", "'true'", "1", "null"]
NIFS = ["'999999990'", "'123456780'", "501234567", "''", "abc"]

text = st.one_of(
    st.sampled_from(TEXTS),
    st.text("abcXYZ019 -./@'", max_size=12).map(json.dumps),
    st.just(json.dumps("x" * 10_001)),
)
ACCOUNT_FIELDS: dict[str, st.SearchStrategy[str]] = {
    "organization_name": text,
    "first_name": text,
    "phone": text,
    "email": st.sampled_from(EMAILS),
    "password": st.sampled_from(LOGIN_PASSWORDS),
    "fiscal_id": st.one_of(st.sampled_from(NIFS), text),
    "tax_country": st.sampled_from(TAX_COUNTRIES),
    "postal_code": st.sampled_from(POSTAL_CODES),
    "city": text,
    "language": st.sampled_from(LANGUAGES),
    "terms": st.sampled_from(FLAGS),
    "marketing": st.sampled_from(FLAGS),
    "emial": text,
}
CLIENT_FIELDS: dict[str, st.SearchStrategy[str]] = {
    "id": st.sampled_from(IDS),
    "email": st.sampled_from(EMAILS),
    "language": st.sampled_from(LANGUAGES),
    "postal_code": st.sampled_from(POSTAL_CODES),
    "country": st.sampled_from(COUNTRIES),
    "fiscal_id": st.one_of(st.sampled_from(NIFS), text),
    "website": text,
    "observations": text,
    "send_options": st.sampled_from(SEND_OPTIONS),
    "nmae": text,
}
CONTACT_FIELDS = {"name": text, "email": st.sampled_from(EMAILS), "phone": text}


def _fields(draw: st.DrawFn, fields: dict[str, st.SearchStrategy[str]], indent: str) -> list[str]:
    chosen = draw(st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=4))
    return [f"{indent}{name}: {draw(fields[name])}" for name in chosen]


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A desired-state file of a few sections, each value good or bad."""
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append("account:")
        if draw(st.integers(0, 9)):
            lines.append(f"  id: {draw(st.sampled_from(IDS))}")
        lines += _fields(draw, ACCOUNT_FIELDS, "  ")
        if draw(st.booleans()):
            lines.append("  credentials:")
            if draw(st.integers(0, 9)):
                lines.append(f"    username: {draw(st.sampled_from(USERNAMES))}")
            if draw(st.integers(0, 9)):
                lines.append(f"    password: {draw(st.sampled_from(AT_PASSWORDS))}")
            if draw(st.booleans()):
                lines.append(f"    type: {draw(st.sampled_from(CREDENTIAL_TYPES))}")
            if draw(st.booleans()):
                lines.append(f"    context: {draw(st.sampled_from(CONTEXTS))}")
    if draw(st.booleans()):
        lines.append("clients:")
        for index in range(draw(st.integers(1, 2))):
            lines.append(f"  - code: {draw(text) if draw(st.integers(0, 4)) == 0 else f'C{index}'}")
            if draw(st.integers(0, 9)):
                lines.append(
                    f"    name: {draw(text) if draw(st.integers(0, 4)) == 0 else f'N{index}'}"
                )
            lines += _fields(draw, CLIENT_FIELDS, "    ")
            if draw(st.integers(0, 4)) == 0:
                lines.append("    preferred_contact:")
                lines += _fields(draw, CONTACT_FIELDS, "      ") or ["      name: Ana"]
    if draw(st.booleans()):
        lines.append("sequences:")
        if draw(st.booleans()):
            lines.append(f"  default: {draw(st.sampled_from(SEQUENCES))}")
        if draw(st.booleans()):
            items = draw(st.lists(st.sampled_from(SEQUENCES), max_size=3))
            lines.append(f"  register: [{', '.join(items)}]")
    if draw(st.integers(0, 4)) == 0:
        lines.append(f"options:\n  create_missing_clients: {draw(st.sampled_from(BOOLEANS))}")
    return "\n".join(lines or ["clients: []"]) + "\n"


def validate_says(text: str) -> list[Problem]:
    """What ``validate`` finds in ``text`` ([] when it accepts it)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.yaml"
        path.write_text(text, "utf-8")
        try:
            load_desired(path, {})
        except ValidationFailed as failed:
            return list(failed.problems)
    return []


def schema_says(text: str) -> list[str]:
    """What the schema flags in ``text`` as an editor reads it (YAML 1.2, numbers native)."""
    data: Any = YAML(typ="safe", pure=True).load(text)
    return [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(data)]


@settings(
    max_examples=int(os.environ.get("SCHEMA_AGREEMENT_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(documents())
def test_the_schema_flags_a_document_exactly_when_validate_refuses_it(text: str) -> None:
    refused = [p for p in validate_says(text) if not FILTERED.search(p.message)]
    flagged = schema_says(text)
    shown = [f"{p.path}: {p.message}" for p in refused]
    assert bool(refused) == bool(flagged), f"{text}\nvalidate: {shown}\nschema: {flagged}"


@pytest.mark.parametrize(
    ("text", "validate_ok", "schema_ok"), EXCEPTIONS.values(), ids=list(EXCEPTIONS)
)
def test_each_named_exception_is_one(text: str, validate_ok: bool, schema_ok: bool) -> None:
    assert (not validate_says(text), not schema_says(text)) == (validate_ok, schema_ok)


@pytest.mark.parametrize(
    "text",
    [
        "account:\n  id: 1\n  credentials: {username: 999999990, password: pw#45678}\n",
        "account:\n  id: 1\n  credentials: {username: 999999990/1, password: pw#4}\n",
        "account:\n  id: 1\n  credentials: {username: 999999990/1, password: pw#456789012345}\n",
        "account:\n  id: 1\n  tax_country: ' 1 '\n  postal_code: '28001'\n",
        "account:\n  id: 1\n  tax_country: '01'\n  postal_code: '28001'\n",
        "account:\n  id: 1\n  terms: 0\n",
        "clients:\n  - {code: A, name: B, send_options: '4'}\n",
        "clients:\n  - {code: A, name: B, email: 12}\n",
        "clients:\n  - {code: A, name: B, email: foo@bar..com}\n",
        "sequences:\n  register: [146090, 146090]\n",
    ],
)
def test_what_an_editor_missed_is_flagged(text: str) -> None:
    """Found by trying the schema as a new user would: each refused by validate, and now by
    the schema too."""
    assert validate_says(text)
    assert schema_says(text)
