"""The layers' import rules, read from the source with ``ast`` (imports inside functions and
under ``TYPE_CHECKING`` count too):

    cli → workflows → core, storage, api, render → desired → errors, settings

``core`` does no I/O; ``sandbox`` stands alone, as a separate server would; nothing imports
``cli`` but the package's ``__main__``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "reconciler"
FOUNDATION = {"errors", "settings", "fileio", "interrupts"}
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "fileio": set(),
    "interrupts": set(),
    "settings": {"errors", "fileio"},
    "desired": {"errors", "fileio"},
    "core": {"desired", *FOUNDATION},
    "storage": {"core", "desired", *FOUNDATION},
    "api": {"core", "desired", *FOUNDATION},
    "render": {"core", "desired", *FOUNDATION},
    "workflows": {"core", "storage", "api", "render", "desired", "sandbox", *FOUNDATION},
    "cli": {"workflows", "core", "storage", "api", "render", "desired", "sandbox", *FOUNDATION},
    "sandbox": set(),
    "__main__": {"cli", "interrupts"},
    "__init__": set(),
}
IO_MODULES = {
    "aiohttp",
    "asyncio",
    "filelock",
    "glob",
    "io",
    "os",
    "pathlib",
    "psycopg",
    "shutil",
    "socket",
    "subprocess",
    "sys",
    "tempfile",
}


def _layer(path: Path, package: Path = PACKAGE) -> str:
    relative = path.relative_to(package)
    return relative.parts[0].removesuffix(".py")


def _module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, root: Path = PACKAGE) -> Iterator[tuple[int, str]]:
    """Every module ``path`` imports, absolute, with the line it does so on."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    package = _module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:  # ``from reconciler import cli`` names a module
                yield node.lineno, f"{module}.{alias.name}"


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _own_layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "reconciler" or len(parts) < 2:
        return None
    return parts[1]


def violations(path: Path, root: Path = PACKAGE) -> list[str]:
    """The imports of ``path`` that its layer's rule does not allow."""
    layer = _layer(path, root)
    allowed = ALLOWED[layer] | {layer}
    wrong = []
    for line, module in _imports(path, root):
        other = _own_layer_of(module)
        if other is None or other == "__version__":
            continue
        if other not in allowed:
            wrong.append(f"{path.name}:{line} imports {module} ({layer} may not use {other})")
    return wrong


def io_used(path: Path, root: Path = PACKAGE) -> set[str]:
    """The I/O modules ``path`` imports."""
    return {m for _, m in _imports(path, root) if m.split(".")[0] in IO_MODULES}


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layers(path: Path) -> None:
    assert violations(path) == []


@pytest.mark.parametrize(
    "path",
    sorted((PACKAGE / "core").rglob("*.py")),
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_core_does_no_io(path: Path) -> None:
    assert io_used(path) == set()


def test_every_top_level_module_has_a_rule() -> None:
    assert {_layer(p) for p in _sources()} <= set(ALLOWED)


def test_a_breach_is_found(tmp_path: Path) -> None:
    """The checker itself: an upward import, relative or inside a function, and I/O in core."""
    root = tmp_path / "reconciler"
    (root / "core").mkdir(parents=True)
    (root / "api").mkdir()
    bad_core = root / "core" / "bad.py"
    bad_core.write_text("def f():\n    from reconciler.workflows import apply\n    import os\n")
    bad_api = root / "api" / "bad.py"
    bad_api.write_text("from ..storage import files\nfrom reconciler import cli\n")
    assert len(violations(bad_core, root)) == 2  # the package and the module it names
    assert io_used(bad_core, root) == {"os"}
    assert [v.split(" (")[0] for v in violations(bad_api, root)] == [
        "bad.py:1 imports reconciler.storage",
        "bad.py:1 imports reconciler.storage.files",
        "bad.py:2 imports reconciler.cli",
    ]
