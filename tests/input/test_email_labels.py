"""The plain-address check knows every special-use domain email-validator refuses, so it loads
email-validator only for an address that could be under one (or is not plain)."""

from __future__ import annotations

from email_validator import SPECIAL_USE_DOMAIN_NAMES

from reconciler.desired.emails import SPECIAL_TOP_LABELS, plainly_valid_email


def test_every_special_use_domain_ends_in_a_label_the_plain_check_knows() -> None:
    assert {name.rpartition(".")[2] for name in SPECIAL_USE_DOMAIN_NAMES} <= SPECIAL_TOP_LABELS


def test_an_address_under_a_special_use_domain_is_not_plain() -> None:
    for name in SPECIAL_USE_DOMAIN_NAMES:
        assert not plainly_valid_email(f"someone@example.{name}"), name
    assert plainly_valid_email("someone@example.pt")
