"""The fast path for plain email addresses never accepts what email-validator refuses."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reconciler.desired.emails import _ORDINARY_EMAIL, plain_email
from reconciler.desired.models import plainly_valid_email

PART = st.from_regex(r"[A-Za-z0-9_+-]{1,70}", fullmatch=True)
LABEL = st.from_regex(r"[A-Za-z0-9-]{1,70}", fullmatch=True)
TOP = st.sampled_from(["pt", "com", "org", "local", "localhost", "test", "onion", "a", "x1"])


def _accepted(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


@settings(max_examples=3_000)
@given(
    local=st.lists(PART, min_size=1, max_size=3).map(".".join),
    labels=st.lists(LABEL, min_size=1, max_size=4),
    top=TOP,
)
@example(local="a", labels=["bar", ""], top="com")  # foo@bar..com
@example(local="x", labels=["exemplo"], top="pt")
def test_the_fast_path_accepts_only_what_email_validator_accepts(
    local: str, labels: list[str], top: str
) -> None:
    value = f"{local}@{'.'.join([*labels, top])}"
    if plainly_valid_email(value):
        assert _accepted(value), value


@pytest.mark.parametrize(
    "value",
    ["financeiro@exemplo.pt", "a.b+c@mail.exemplo.com", "c1000@exemplo.pt"],
)
def test_plain_addresses_take_the_fast_path(value: str) -> None:
    assert plainly_valid_email(value) and _accepted(value)


@pytest.mark.parametrize(
    "value",
    ["foo@bar..com", "a@b.local", "a@localhost", "a@x--y.pt", "é@exemplo.pt", "a@b.c1"],
)
def test_anything_else_goes_to_email_validator(value: str) -> None:
    assert not plainly_valid_email(value)


@settings(max_examples=3_000)
@given(
    local=st.lists(PART, min_size=1, max_size=3).map(".".join),
    labels=st.lists(LABEL, min_size=1, max_size=4),
    top=st.one_of(TOP, st.sampled_from(["LOCAL", "Test", "ONION", "Arpa", "tests", "PT"])),
)
@example(local="a", labels=["b" * 64], top="pt")  # a label one character too long
@example(local="c" * 65, labels=["exemplo"], top="pt")  # a local part one too long
def test_the_one_match_accepts_only_what_each_check_accepts(
    local: str, labels: list[str], top: str
) -> None:
    """The usual address, decided by one match (every length and the top-level domain in
    it), is accepted only where the checks made one by one accept it."""
    value = f"{local}@{'.'.join([*labels, top])}"
    if _ORDINARY_EMAIL.fullmatch(value):
        assert plain_email(value), value
    assert plainly_valid_email(value) == plain_email(value)


@pytest.mark.parametrize("value", ["geral@cliente100001.example.pt", "a.b+c@mail.exemplo.com"])
def test_the_usual_address_is_decided_by_one_match(value: str) -> None:
    assert _ORDINARY_EMAIL.fullmatch(value)
