"""The fast path for plain Portuguese NIFs judges every value as python-stdnum does."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from stdnum.pt import nif

from reconciler.desired.nif import valid_nif

DIGITS = st.from_regex(r"[0-9]{7,10}", fullmatch=True)
CHECKED = st.from_regex(r"[0-9]{8}", fullmatch=True).map(lambda v: v + nif.calc_check_digit(v))
NEAR_PLAIN = st.one_of(
    DIGITS,
    CHECKED,
    st.text(alphabet="0123456789 -.PTpt٣", min_size=0, max_size=14),
    st.text(max_size=12),
)


@settings(max_examples=3_000)
@given(value=NEAR_PLAIN)
@example(value="123456789")
@example(value="023456789")
@example(value="PT123456789")
@example(value=" 123 456 789 ")
@example(value="12345678٩")
def test_the_fast_path_agrees_with_python_stdnum(value: str) -> None:
    assert valid_nif(value) == nif.is_valid(value), value


@pytest.mark.parametrize("value", ["123456789", "999999990", "501234560"])
def test_valid_plain_nifs(value: str) -> None:
    assert nif.is_valid(value) and valid_nif(value)


@pytest.mark.parametrize("value", ["123456780", "999999991", "12345678", "1234567890"])
def test_invalid_plain_nifs(value: str) -> None:
    assert not nif.is_valid(value) and not valid_nif(value)
