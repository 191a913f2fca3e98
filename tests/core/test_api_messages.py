"""The API's error text is found in every shape the API has used."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.api.api_client import api_code, api_message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"errors": [{"error": "Name has already been taken"}]}, "Name has already been taken"),
        ({"errors": {"error": "Invalid API key"}}, "Invalid API key"),
        ({"errors": {"name": ["is too long"]}}, "name: is too long"),
        ({"errors": ["a", "b"]}, "a; b"),
        ({"error": "Boom"}, "Boom"),
        (
            {"code": "005", "message": "All sequences are registered."},
            "All sequences are registered. (code 005)",
        ),
        (None, ""),
    ],
)
def test_api_message(body: Any, expected: str) -> None:
    assert api_message(body) == expected


def test_api_code() -> None:
    assert api_code({"code": "006", "message": "x"}) == "006"
    assert api_code({"errors": []}) is None
