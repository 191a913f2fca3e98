"""What a source file of the package imports and which builtins it names, read with ``ast``.

Imports inside functions and under ``TYPE_CHECKING`` count too; relative imports are made
absolute.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "reconciler"


def layer_of(path: Path, root: Path = PACKAGE) -> str:
    """The top-level package or module of ``root`` that ``path`` belongs to."""
    return path.relative_to(root).parts[0].removesuffix(".py")


def place_of(path: Path, root: Path = PACKAGE) -> str:
    """``path`` as the rules name it: relative to ``root``, with forward slashes."""
    return path.relative_to(root).as_posix()


def module_name(path: Path, root: Path = PACKAGE) -> str:
    """The dotted name ``path`` is imported by."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text("utf-8"), str(path))


def imports(path: Path, root: Path = PACKAGE) -> Iterator[tuple[int, str]]:
    """Every module ``path`` imports, absolute, with the line it does so on."""
    for line, module, _ in bindings(path, root):
        yield line, module


def bindings(path: Path, root: Path = PACKAGE) -> Iterator[tuple[int, str, bool]]:
    """Every module ``path`` imports, with its line and whether the module itself is given a
    name there.

    ``from a import b`` yields ``a`` (loaded, not named) and ``a.b`` (named: ``b`` may be a
    module); ``import a.b`` yields ``a.b`` and ``a``, which it names.
    """
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    statements = (n for n in ast.walk(parse(path)) if isinstance(n, ast.Import | ast.ImportFrom))
    for node in sorted(statements, key=lambda n: (n.lineno, n.col_offset)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                dotted = alias.asname is None and "." in alias.name
                yield node.lineno, alias.name, not dotted
                if dotted:
                    yield node.lineno, alias.name.partition(".")[0], True
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield node.lineno, module, False
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}", True


def names(path: Path) -> Iterator[tuple[int, int, str]]:
    """Every plain name ``path`` reads (``print``, ``open``, ...), with its line and column, in
    the order they stand."""
    found = [
        (node.lineno, node.col_offset + 1, node.id)
        for node in ast.walk(parse(path))
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    ]
    yield from sorted(found)
