"""Properties of the body checks: any JSON is answered, never a crash."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.sandbox import demo_data
from reconciler.sandbox.validation import check_account, check_client, taken_among

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
CLIENT_KEYS = st.sampled_from(
    ["name", "code", "email", "language", "country", "send_options", "preferred_contact", "phone"]
)
ACCOUNT_KEYS = st.sampled_from(
    ["fiscal_id", "postal_code", "tax_country", "credentials", "email", "terms", "password", "city"]
)


def _json_able(value: Any) -> bool:
    return bool(json.loads(json.dumps(value)) == value)


@settings(max_examples=300)
@given(st.dictionaries(CLIENT_KEYS, JSON))
def test_any_client_body_gives_changes_or_messages(body: dict[str, Any]) -> None:
    data = demo_data()
    checked = check_client(data["clients"][0], body, taken_among(data["clients"][1:]))
    assert all(isinstance(message, str) and message for message in checked.errors)
    if not checked.errors:
        assert {"name", "code"} <= set(checked.changes)
        assert _json_able(checked.changes)


@settings(max_examples=300)
@given(st.dictionaries(ACCOUNT_KEYS, JSON))
def test_any_account_body_gives_changes_or_messages(body: dict[str, Any]) -> None:
    data = demo_data()
    checked = check_account(data["account"], body, data["taken_fiscal_ids"])
    assert all(isinstance(message, str) and message for message in checked.errors)
    if not checked.errors:
        assert set(checked.changes) <= set(body)
        assert _json_able(checked.changes)
