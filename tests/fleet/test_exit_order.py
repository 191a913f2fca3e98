"""A fleet's exit code is the worst of its accounts': 1 > 3 > 2 > 0."""

from __future__ import annotations

import pytest

from reconciler.cli.exits import worst_exit


@pytest.mark.parametrize(
    ("codes", "worst"),
    [
        ([], 0),
        ([0, 0], 0),
        ([0, 2, 0], 2),
        ([2, 3, 0], 3),
        ([3, 1, 2], 1),
        ([1, 0], 1),
    ],
)
def test_the_worst_code_wins(codes: list[int], worst: int) -> None:
    assert worst_exit(codes) == worst
