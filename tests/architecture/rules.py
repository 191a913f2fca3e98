"""The package's import rules, each an allow-list, and the checks that find a breach of them.

    cli → workflows → core, storage, api, render → desired → errors, settings, fileio, clock
    settings → settings_values (the settings' fields, plain pydantic models a run reads with),
               settings_models (the classes pydantic-settings declares, imported when named)

- ``LAYERS``: the parts of the package a layer may import, besides itself;
- ``CORE_MAY_USE``: the standard-library and third-party modules ``core`` may import, pure
  ones (no I/O, no clock, no threads), and ``CORE_EXCEPTIONS`` in the one file each names;
  ``core`` names none of ``CORE_REFUSED_NAMES`` either;
- ``DYNAMIC_ALLOWED``: the one file that imports modules by name, and the one resource read;
  nowhere else is ``importlib`` (or ``__import__``, ``pkgutil``, ``runpy``...) used;
- ``sandbox`` imports nothing of the package outside ``reconciler.sandbox``.

A layer edge, an exception or a dynamic allowance that no source uses is a defect too
(``unused_allowances``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tests.architecture.source_walk import PACKAGE, bindings, imports, layer_of, names, place_of

LAYERS: dict[str, set[str]] = {
    "errors": set(),
    "clock": set(),
    "fileio": set(),
    "interrupts": set(),
    "process_end": set(),
    "settings": {"errors", "fileio", "settings_models", "settings_values"},
    "settings_models": {"settings_values"},
    "settings_values": set(),
    "desired": {"errors", "fileio"},
    "core": {"desired", "errors"},
    "storage": {"clock", "core", "desired", "errors", "fileio"},
    "api": {"core", "desired", "errors", "settings"},
    "render": {"core", "errors"},
    "workflows": {
        "api",
        "clock",
        "core",
        "desired",
        "errors",
        "interrupts",
        "process_end",
        "render",
        "sandbox",
        "settings",
        "storage",
    },
    "cli": {
        "__init__",  # the version
        "core",
        "desired",
        "errors",
        "interrupts",
        "render",
        "sandbox",
        "settings",
        "storage",
        "workflows",
    },
    "sandbox": set(),
    "__main__": {"cli", "interrupts", "process_end"},
    "__init__": set(),
}

CORE_MAY_USE = frozenset(
    {
        "__future__",
        "abc",
        "base64",
        "bisect",
        "collections",
        "contextlib",
        "copy",
        "dataclasses",
        "decimal",
        "enum",
        "fractions",
        "functools",
        "hashlib",
        "heapq",
        "hmac",
        "itertools",
        "json",
        "math",
        "numbers",
        "operator",
        "re",
        "string",
        "types",
        "typing",
        "unicodedata",
        "urllib.parse",
        # third-party
        "deepdiff",
        "pydantic",
    }
)
"""Pure modules: what pure code needs, whether ``core`` uses each today or not."""

CORE_EXCEPTIONS: dict[str, str] = {
    # A new history's lineage: ``uuid.uuid4()``, drawn from the system's randomness.
    "core/known.py": "uuid",
}

CORE_REFUSED_NAMES = frozenset(
    {"open", "print", "input", "eval", "exec", "breakpoint", "compile", "__import__"}
)

DYNAMIC = frozenset({"importlib", "imp", "pkgutil", "runpy", "zipimport"})
"""Modules that import other modules by name (or run them)."""

DYNAMIC_ALLOWED: dict[str, str] = {
    # Each command's module is imported when the command runs.
    "cli/group.py": "importlib",
    # The country list shipped in the package is read as a resource; nothing is imported.
    "desired/models.py": "importlib.resources",
}


def _within(module: str, allowed: Iterable[str]) -> bool:
    return any(module == entry or module.startswith(f"{entry}.") for entry in allowed)


def part_of_package(module: str) -> str | None:
    """The layer of the package that ``module`` names (``__init__`` for a name the package's
    ``__init__`` defines, such as its version), or ``None`` outside it and for the bare
    package, which every module loads."""
    parts = module.split(".")
    if parts[0] != "reconciler" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else "__init__"


def layer_breaches(path: Path, root: Path = PACKAGE) -> list[str]:
    """The imports of ``path`` that its layer may not make."""
    layer = layer_of(path, root)
    allowed = LAYERS[layer] | {layer}
    return [
        f"{place_of(path, root)}:{line} imports {module} ({layer} may not use {other})"
        for line, module in imports(path, root)
        if (other := part_of_package(module)) is not None and other not in allowed
    ]


def impure_imports(path: Path, root: Path = PACKAGE) -> list[str]:
    """The modules outside the package that ``path`` (in ``core``) imports and may not."""
    allowed = [*CORE_MAY_USE, *filter(None, [CORE_EXCEPTIONS.get(place_of(path, root))])]
    return [
        f"{place_of(path, root)}:{line} imports {module} (not a pure module core may use)"
        for line, module in imports(path, root)
        if module.split(".")[0] != "reconciler" and not _within(module, allowed)
    ]


def refused_names(path: Path, root: Path = PACKAGE) -> list[str]:
    """The builtins doing I/O or running code that ``path`` (in ``core``) names."""
    return [
        f"{place_of(path, root)}:{line}:{column} uses {name}() (core does no I/O)"
        for line, column, name in names(path)
        if name in CORE_REFUSED_NAMES
    ]


def dynamic_imports(path: Path, root: Path = PACKAGE) -> list[str]:
    """The modules ``path`` imports by name, where it is not the place allowed to."""
    place = place_of(path, root)
    allowed = DYNAMIC_ALLOWED.get(place)
    found = [
        f"{place}:{line} imports {module} (a dynamic import)"
        for line, module, named in bindings(path, root)
        if named
        and _within(module, DYNAMIC)
        and not (allowed is not None and _within(module, [allowed]))
    ]
    found += [
        f"{place}:{line}:{column} uses __import__ (a dynamic import)"
        for line, column, name in names(path)
        if name == "__import__"
    ]
    return found


def sandbox_breaches(path: Path, root: Path = PACKAGE) -> list[str]:
    """The imports of ``path`` (in ``sandbox``) of the package outside ``reconciler.sandbox``."""
    return [
        f"{place_of(path, root)}:{line} imports {module} (sandbox stands alone)"
        for line, module in imports(path, root)
        if module.split(".")[0] == "reconciler"
        and module != "reconciler"
        and not _within(module, ["reconciler.sandbox"])
    ]


def unused_allowances(
    sources: Iterable[Path],
    root: Path = PACKAGE,
    layers: dict[str, set[str]] = LAYERS,
    dynamic: dict[str, str] = DYNAMIC_ALLOWED,
    exceptions: dict[str, str] = CORE_EXCEPTIONS,
) -> list[str]:
    """The layer edges, exceptions and dynamic allowances no source in ``sources`` uses."""
    used: set[tuple[str, str]] = set()
    dynamic_used: set[str] = set()
    exceptions_used: set[str] = set()
    for path in sources:
        place = place_of(path, root)
        if place in exceptions and any(
            _within(m, [exceptions[place]]) for _, m in imports(path, root)
        ):
            exceptions_used.add(place)
        layer = layer_of(path, root)
        used |= {(layer, other) for _, m in imports(path, root) if (other := part_of_package(m))}
        allowed = dynamic.get(place_of(path, root))
        if allowed is not None and any(
            named and _within(m, [allowed]) for _, m, named in bindings(path, root)
        ):
            dynamic_used.add(place_of(path, root))
    unused = [
        f"{layer} may use {other}, and no module of {layer} does"
        for layer, others in layers.items()
        for other in sorted(others)
        if (layer, other) not in used
    ]
    unused += [
        f"{place} may import {module} by name, and does not"
        for place, module in dynamic.items()
        if place not in dynamic_used
    ]
    unused += [
        f"{place} may import {module}, and does not"
        for place, module in exceptions.items()
        if place not in exceptions_used
    ]
    return unused
