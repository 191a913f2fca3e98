"""The package's import rules (``tests/architecture/rules.py``) hold for every source file,
no allowance goes unused, and a breach of each rule planted in a copy of the package is found.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.architecture.rules import (
    CORE_EXCEPTIONS,
    DYNAMIC_ALLOWED,
    LAYERS,
    dynamic_imports,
    impure_imports,
    layer_breaches,
    refused_names,
    sandbox_breaches,
    unused_allowances,
)
from tests.architecture.source_walk import PACKAGE, layer_of

SOURCES = sorted(PACKAGE.rglob("*.py"))


def _ids(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


def _under(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=_ids)
def test_imports_follow_the_layers(path: Path) -> None:
    assert layer_breaches(path) == []


@pytest.mark.parametrize("path", _under("core"), ids=_ids)
def test_core_imports_only_pure_modules_and_names_no_io_builtin(path: Path) -> None:
    assert impure_imports(path) + refused_names(path) == []


@pytest.mark.parametrize("path", SOURCES, ids=_ids)
def test_modules_are_imported_by_name_only_where_allowed(path: Path) -> None:
    assert dynamic_imports(path) == []


@pytest.mark.parametrize("path", _under("sandbox"), ids=_ids)
def test_the_sandbox_imports_nothing_else_of_the_package(path: Path) -> None:
    assert sandbox_breaches(path) == []


def test_every_top_level_module_has_a_rule() -> None:
    assert {layer_of(p) for p in SOURCES} <= set(LAYERS)


def test_every_allowance_is_used() -> None:
    assert unused_allowances(SOURCES) == []


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the package, to plant breaches in."""
    root = tmp_path / "reconciler"
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("__pycache__", "data"))
    return root


def _plant(root: Path, place: str, source: str) -> Path:
    path = root / place
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, "utf-8")
    return path


def test_an_upward_import_is_found(copy: Path) -> None:
    """Relative, absolute, inside a function, and a module named by ``from … import``."""
    bad = _plant(copy, "api/bad.py", "def f():\n    from ..storage import files\n")
    also = _plant(copy, "core/bad.py", "from reconciler import settings, fileio, interrupts\n")
    assert [v.split(" (")[0] for v in layer_breaches(bad, copy)] == [
        "api/bad.py:2 imports reconciler.storage",
        "api/bad.py:2 imports reconciler.storage.files",
    ]
    assert [v.split(" (")[0] for v in layer_breaches(also, copy)] == [
        "core/bad.py:1 imports reconciler.settings",
        "core/bad.py:1 imports reconciler.fileio",
        "core/bad.py:1 imports reconciler.interrupts",
    ]


def test_an_impure_module_in_core_is_found(copy: Path) -> None:
    """I/O, the clock, threads, any module not on the list, ``urllib`` beyond its parser, and
    an exception outside the one file it is made for."""
    bad = _plant(
        copy,
        "core/kinds/bad.py",
        "import threading\nimport time\nimport http.client\nfrom urllib import request\n"
        "def f():\n    import os\nfrom datetime import datetime\nimport uuid\n",
    )
    assert [v.split(" (")[0] for v in impure_imports(bad, copy)] == [
        "core/kinds/bad.py:1 imports threading",
        "core/kinds/bad.py:2 imports time",
        "core/kinds/bad.py:3 imports http.client",
        "core/kinds/bad.py:3 imports http",
        "core/kinds/bad.py:4 imports urllib",
        "core/kinds/bad.py:4 imports urllib.request",
        "core/kinds/bad.py:6 imports os",
        "core/kinds/bad.py:7 imports datetime",
        "core/kinds/bad.py:7 imports datetime.datetime",
        "core/kinds/bad.py:8 imports uuid",
    ]
    assert impure_imports(copy / "core" / "known.py", copy) == []


def test_a_pure_module_in_core_is_let_through(copy: Path) -> None:
    good = _plant(
        copy,
        "core/kinds/good.py",
        "import decimal, json, operator\nfrom urllib.parse import quote\nimport pydantic\n",
    )
    assert impure_imports(good, copy) == []


def test_an_io_builtin_in_core_is_found(copy: Path) -> None:
    bad = _plant(
        copy,
        "core/bad.py",
        "def f(x):\n    print(open(x).read(), input())\n    eval(x); exec(x)\n"
        "    breakpoint()\n    return map(print, x)\n",
    )
    assert [v.split(" (")[0] for v in refused_names(bad, copy)] == [
        "core/bad.py:2:5 uses print()",
        "core/bad.py:2:11 uses open()",
        "core/bad.py:2:27 uses input()",
        "core/bad.py:3:5 uses eval()",
        "core/bad.py:3:14 uses exec()",
        "core/bad.py:4:5 uses breakpoint()",
        "core/bad.py:5:16 uses print()",
    ]


def test_a_dynamic_import_is_found_outside_the_one_place_allowed(copy: Path) -> None:
    """Anywhere but ``cli/group.py``; in ``desired/models.py``, beyond ``importlib.resources``."""
    bad = _plant(copy, "workflows/bad.py", "import importlib.resources\n__import__('os')\n")
    resource = _plant(copy, "desired/models.py", "from importlib import import_module, resources\n")
    allowed = _plant(copy, "cli/group.py", "import importlib\n")
    assert [v.split(" (")[0] for v in dynamic_imports(bad, copy)] == [
        "workflows/bad.py:1 imports importlib",
        "workflows/bad.py:2:1 uses __import__",
    ]
    assert [v.split(" (")[0] for v in dynamic_imports(resource, copy)] == [
        "desired/models.py:1 imports importlib.import_module",
    ]
    assert dynamic_imports(allowed, copy) == []


def test_the_sandbox_importing_the_package_is_found(copy: Path) -> None:
    bad = _plant(
        copy,
        "sandbox/bad.py",
        "from reconciler import __version__\nfrom reconciler.sandbox import server\n"
        "def f():\n    from ..errors import ReconcilerError\n",
    )
    assert [v.split(" (")[0] for v in sandbox_breaches(bad, copy)] == [
        "sandbox/bad.py:1 imports reconciler.__version__",
        "sandbox/bad.py:4 imports reconciler.errors",
        "sandbox/bad.py:4 imports reconciler.errors.ReconcilerError",
    ]
    assert [v.split(" (")[0] for v in layer_breaches(bad, copy)] == [
        "sandbox/bad.py:1 imports reconciler.__version__",
        "sandbox/bad.py:4 imports reconciler.errors",
        "sandbox/bad.py:4 imports reconciler.errors.ReconcilerError",
    ]


def test_an_unused_allowance_is_found(copy: Path) -> None:
    """A layer edge no module of the layer uses, a dynamic import no longer made, and an
    exception for a module the file no longer imports."""
    (copy / "cli" / "group.py").write_text("from reconciler import __version__\n", "utf-8")
    (copy / "core" / "known.py").write_text("import math\n", "utf-8")
    layers = {**LAYERS, "render": LAYERS["render"] | {"storage"}}
    sources = sorted(copy.rglob("*.py"))
    assert unused_allowances(sources, copy, layers, DYNAMIC_ALLOWED, CORE_EXCEPTIONS) == [
        "render may use storage, and no module of render does",
        "cli/group.py may import importlib by name, and does not",
        "core/known.py may import uuid, and does not",
    ]
