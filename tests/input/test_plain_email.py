"""The fast path for plain email addresses never accepts what email-validator refuses."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given, settings
from hypothesis import strategies as st

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
