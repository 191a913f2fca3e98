"""Email addresses in the desired state: syntax only (no DNS), as email-validator judges them,
with the plainest addresses decided without loading it."""

from __future__ import annotations

import re

# The plainest addresses (ASCII letters, digits, ``_+-`` and dots; letters-only top-level
# domain; no ``--``), which email-validator accepts whenever their lengths and domain pass the
# checks in ``plainly_valid_email``: those skip its slower full check (a property test holds
# the two together). Anything else goes through email-validator.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_+]+(?:-[A-Za-z0-9_+]+)*(?:\.[A-Za-z0-9_+]+(?:-[A-Za-z0-9_+]+)*)*"
    r"@(?:[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\.)+[A-Za-z]{2,63}"
)

SPECIAL_TOP_LABELS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})
"""The last labels of email-validator's special-use domain names (a test holds them to its
list): an address whose domain ends in none of them cannot be under one, and is decided
without loading email-validator."""


# The usual plain address, with every length ``plain_email`` checks (the local part at most 64
# characters, a label at most 63) and a top-level domain none of the special ones, in one match:
# what ``plain_email`` accepts without asking email-validator (a property test holds the two).
_ORDINARY_EMAIL = re.compile(
    r"(?=[^@]{1,64}@)" + _PLAIN_EMAIL.pattern.partition("@")[0] + "@"
    r"(?:(?=[A-Za-z0-9-]{1,63}\.)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\.)+"
    r"(?!(?i:" + "|".join(sorted(SPECIAL_TOP_LABELS)) + r")$)[A-Za-z]{2,63}"
)


def plainly_valid_email(value: str) -> bool:
    """Whether ``value`` is a plain address email-validator accepts, decided without it."""
    if len(value) <= 254 and _ORDINARY_EMAIL.fullmatch(value):
        return True
    return plain_email(value)


def plain_email(value: str) -> bool:
    """``plainly_valid_email``, each check made on its own."""
    if len(value) > 254 or not _PLAIN_EMAIL.fullmatch(value):
        return False
    local, _, domain = value.partition("@")
    labels = domain.lower().split(".")
    if len(local) > 64 or max(map(len, labels)) > 63:
        return False
    if labels[-1] not in SPECIAL_TOP_LABELS:
        return True
    from email_validator import SPECIAL_USE_DOMAIN_NAMES

    return not any(".".join(labels[i:]) in SPECIAL_USE_DOMAIN_NAMES for i in range(len(labels)))


def checked_email(value: str) -> str:
    """Syntax only (no DNS), by email-validator; the address is kept as written."""
    value = value.strip()
    if plainly_valid_email(value):
        return value
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(f"{value!r} must be an email: {error}") from None
    return value
