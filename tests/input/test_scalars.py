"""How an unquoted scalar resolves: null, a boolean, a number (keeping its text), or text."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from reconciler.desired.loader.scalars import (
    MAX_DIGITS,
    READS_OTHERWISE,
    ImplicitScalar,
    LongNumber,
    implicit,
    native,
)


@pytest.mark.parametrize("text", ["", "~", "null", "Null", "NULL"])
def test_nulls(text: str) -> None:
    assert implicit(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("False", False),
        ("FALSE", False),
        ("42", 42),
        ("007", 7),
        ("-5", -5),
        ("+5", 5),
        ("1_000", 1000),
        ("0b101", 5),
        ("+0b1", 1),
        ("0o17", 15),
        ("0x1F", 31),
        ("0xff", 255),
        ("-0x10", -16),
        ("1.5", 1.5),
        ("1.", 1.0),
        ("-1_0.5", -10.5),
        ("1e3", 1000.0),
        ("1.5e-3", 0.0015),
        (".5", 0.5),
        ("-.5E+1", -5.0),
        (".inf", math.inf),
        ("+.Inf", math.inf),
        ("-.INF", -math.inf),
    ],
)
def test_numbers_and_booleans_keep_their_text_and_have_a_value(
    text: str, value: bool | int | float
) -> None:
    scalar = implicit(text)
    assert isinstance(scalar, ImplicitScalar)
    assert str(scalar) == text
    assert scalar.value == value and type(scalar.value) is type(value)
    assert READS_OTHERWISE.fullmatch(text)


@pytest.mark.parametrize("text", [".nan", ".NaN", ".NAN"])
def test_not_a_number(text: str) -> None:
    scalar = implicit(text)
    assert isinstance(scalar, ImplicitScalar) and math.isnan(scalar.value)


@pytest.mark.parametrize(
    "text",
    ["nULL", "tRUE", "yes", "abc", "-", ".", "0x", "0X1F", "1e", "+-1", "١٢", "²", "1 2", "x1"],
)
def test_other_text_stays_text(text: str) -> None:
    scalar = implicit(text)
    assert scalar == text and type(scalar) is str


def test_a_whole_number_too_long_to_convert_is_marked_as_unquoted() -> None:
    assert type(implicit("1" * MAX_DIGITS)) is ImplicitScalar
    assert implicit("1" * MAX_DIGITS).value == int("1" * MAX_DIGITS)  # type: ignore[union-attr]
    long = implicit("1" * (MAX_DIGITS + 1))
    assert type(long) is LongNumber and long == "1" * (MAX_DIGITS + 1)
    signed = implicit("-" + "1" * (MAX_DIGITS + 1))
    assert type(signed) is LongNumber
    assert repr(long) == f"LongNumber({MAX_DIGITS + 1} characters)"


def test_native_reads_text_as_the_kind_given() -> None:
    number = native("12", "float")
    assert isinstance(number, ImplicitScalar) and number.value == 12.0
    assert type(number.value) is float
    assert native("abc", "float") == "abc" and type(native("abc", "float")) is str
    assert type(native("abc", "int")) is LongNumber and native("abc", "int") == "abc"


def test_the_value_is_read_from_the_text_when_asked() -> None:
    assert ImplicitScalar("0x10").value == 16
    assert ImplicitScalar(" 12 ").value == 12
    assert ImplicitScalar("1.5").value == 1.5
    assert ImplicitScalar("False").value is False
    with pytest.raises(ValueError, match="not a number: 'abc'"):
        _ = ImplicitScalar("abc").value
    assert repr(ImplicitScalar("42")) == "ImplicitScalar('42')"


@pytest.mark.parametrize(
    ("text", "value"), [("1__0", 10), ("1_", 1), ("0x_f_f", 255), ("1__0.5", 10.5)]
)
def test_underscores_anywhere_in_a_number_are_left_out(text: str, value: float) -> None:
    scalar = implicit(text)
    assert isinstance(scalar, ImplicitScalar) and scalar.value == value


@given(st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=40))
@example("0216018653")  # a phone number, written unquoted
@example("501000011")  # a fiscal id
@example("١٢")
def test_digits_read_otherwise_exactly_when_they_are_ascii(text: str) -> None:
    """The fast loader asks whether text reads otherwise unquoted by ``isdigit`` and
    ``isascii`` before the pattern: ASCII decimal digits always do (as a number), and any
    other digits the pattern decides, as before."""
    if text.isdigit() and text.isascii():
        assert READS_OTHERWISE.fullmatch(text)
        assert isinstance(implicit(text), ImplicitScalar | LongNumber)
    else:
        assert not READS_OTHERWISE.fullmatch(text)
