"""A test folder imports another's code only from ``tests/support`` (and the PostgreSQL
fixtures' ``own_server``): never from another folder's ``conftest.py`` or test module, so that a
helper used in two folders has one home."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture.source_walk import imports

TESTS = Path(__file__).resolve().parents[1]
SHARED = {"support", "postgres_fixtures"}


def borrowed(path: Path, root: Path = TESTS) -> list[str]:
    """The imports of ``path`` from a test folder other than its own and the shared ones."""
    own = path.relative_to(root).parts[0]
    found = []
    for line, module in imports(path, root):
        parts = module.split(".")
        if parts[0] == root.name and len(parts) > 1 and parts[1] not in {own, *SHARED}:
            found.append(f"{path.relative_to(root).as_posix()}:{line} imports {module}")
    return found


@pytest.mark.parametrize(
    "path", sorted(TESTS.rglob("*.py")), ids=lambda p: str(p.relative_to(TESTS))
)
def test_a_test_folder_borrows_nothing_from_another(path: Path) -> None:
    assert borrowed(path) == []


def test_a_helper_borrowed_from_another_folder_is_found(tmp_path: Path) -> None:
    root = tmp_path / "tests"
    (root / "fleet").mkdir(parents=True)
    planted = root / "fleet" / "test_x.py"
    planted.write_text(
        "from ..core.test_escaping import BASE\nfrom tests.gitops.conftest import Env\n"
        "from tests.support.cli_env import ROOT\nfrom .conftest import serving\n",
        "utf-8",
    )
    assert borrowed(planted, root) == [
        "fleet/test_x.py:1 imports tests.core.test_escaping",
        "fleet/test_x.py:1 imports tests.core.test_escaping.BASE",
        "fleet/test_x.py:2 imports tests.gitops.conftest",
        "fleet/test_x.py:2 imports tests.gitops.conftest.Env",
    ]
