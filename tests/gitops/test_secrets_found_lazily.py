"""The secrets in play are found from the settings the first time a redactor is asked for
(``command_secrets.InPlay``): once, whatever asks meanwhile, and never losing a secret added."""

from __future__ import annotations

from reconciler.cli.command_secrets import InPlay
from reconciler.core.redaction import Redactor

SECRET = "abcdefgh1234"


def test_a_record_filtered_while_the_secrets_are_found_does_not_find_them_again() -> None:
    """A log record while the settings are read is filtered as before they were read: the
    finding does not start over (which would never end)."""
    found: list[str] = []

    def find() -> Redactor:
        found.append(secrets.redactor(f"key {SECRET}"))  # as the log filter would
        return Redactor().with_secrets(SECRET)

    secrets = InPlay(find)

    assert secrets.redactor(f"key {SECRET}") == "key (sensitive)"
    assert found == [f"key {SECRET}"]
    assert secrets.redactor(f"again {SECRET}") == "again (sensitive)" and len(found) == 1


def test_a_secret_added_before_any_is_asked_for_joins_those_found() -> None:
    calls: list[None] = []

    def find() -> Redactor:
        calls.append(None)
        return Redactor().with_secrets(SECRET)

    secrets = InPlay(find)
    secrets.add("zyxwvut98765")

    assert secrets.redactor(f"{SECRET} and zyxwvut98765") == "(sensitive) and (sensitive)"
    assert calls == [None]
