"""The redactor: every form of every secret replaced; a cut message never shows part of one."""

from __future__ import annotations

import base64
from urllib.parse import quote, quote_plus

import pytest
from pydantic import SecretStr

from reconciler.core.redaction import MESSAGE_LIMIT, Redactor, secret_values
from reconciler.core.secrets import REDACTED
from reconciler.desired.models import Account, Credentials

KEY = "key with+/=&?#"
AT = "At>>>?Sent#12"
PLAIN = "AcctSentinel9"


def _b64(value: str) -> list[str]:
    raw = value.encode()
    encoded = [base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()]
    return encoded + [e.rstrip("=") for e in encoded]


FORMS = [
    KEY,
    quote(KEY),
    quote(KEY, safe=""),
    quote_plus(KEY),
    quote_plus(KEY, safe="/"),
    AT,
    *_b64(AT),
    *(quote(e, safe="") for e in _b64(AT)),
    PLAIN,
]


@pytest.mark.parametrize("form", FORMS)
def test_every_form_is_replaced(form: str) -> None:
    redact = Redactor([KEY, AT, PLAIN])
    assert redact(f"<{form}>") == f"<{REDACTED}>"
    assert redact.shown(f"<{form}>") == f"<{REDACTED}>"


@pytest.mark.parametrize("form", FORMS)
def test_a_cut_message_never_shows_part_of_a_secret(form: str) -> None:
    redact = Redactor([KEY, AT, PLAIN])
    for before in range(3):  # earlier secrets shrink the text the cut is counted in
        for offset in range(MESSAGE_LIMIT - len(form) - 40, MESSAGE_LIMIT + 2):
            text = f"{form} " * before + "x" * offset + form + "y" * 600
            shown = redact.shown(text)
            assert form[:4] not in shown.replace(REDACTED, ""), (before, offset, shown)
            assert "cut: " in shown and len(shown) < MESSAGE_LIMIT + 60


def test_short_text_is_left_whole_and_control_characters_are_made_visible() -> None:
    redact = Redactor([KEY])
    assert redact.shown("plain") == "plain"
    assert redact.shown("a\x1b[2Jb\x07\nc\td") == "a?[2Jb?\nc\td"
    assert redact("no secrets here") == "no secrets here"


def test_the_redactor_never_shows_its_secrets_and_ignores_tiny_values() -> None:
    redact = Redactor([KEY]).with_secrets(SecretStr(AT), None, "", "abc")
    assert KEY not in repr(redact) and AT not in repr(redact)
    assert redact("abc abc") == "abc abc"
    assert redact(AT) == REDACTED


def test_secret_values_are_the_account_passwords() -> None:
    account = Account(
        id=1,
        password=SecretStr(PLAIN),
        credentials=Credentials(username="999999990/1", password=SecretStr(AT)),
    )
    assert sorted(secret_values(account)) == sorted([PLAIN, AT])
    assert secret_values(Account(id=1)) == []
