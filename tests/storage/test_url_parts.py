"""What a saved plan records of a database URL: everything but the password."""

from __future__ import annotations

import pytest

from reconciler.storage.url_parts import without_password


@pytest.mark.parametrize(
    ("url", "bare"),
    [
        ("postgresql://ci:s3cr%40t@db:5432/books", "postgresql://ci@db:5432/books"),
        ("postgres://ci:pw@db/books?sslmode=require", "postgres://ci@db/books?sslmode=require"),
        (
            "postgresql://ci@db/books?password=pw&sslmode=require",
            "postgresql://ci@db/books?sslmode=require",
        ),
        ("postgresql://ci@db/books?PASSWORD=pw", "postgresql://ci@db/books"),
        ("postgresql://:pw@db/books", "postgresql://db/books"),
        ("postgresql://db/books", "postgresql://db/books"),
    ],
)
def test_the_password_is_left_out_and_the_rest_kept(url: str, bare: str) -> None:
    assert without_password(url) == bare
    assert "pw" not in without_password(url) and "s3cr" not in without_password(url)
