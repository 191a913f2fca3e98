"""No module outside ``core/kinds/`` branches on a concrete resource kind: the kinds are named in
their own modules and listed in the registry, and every other module loops over them.

An ast scan of the package (the sandbox, a separate server, and the desired-state models
aside) for the names of kind-specific keys and actions, key prefixes and action texts written
as strings, comparisons with a kind's name, and imports of a concrete kind's module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "reconciler"
KINDS = PACKAGE / "core" / "kinds"
OUTSIDE = ("sandbox", "desired")
"""Not scanned: the sandbox stands alone (a server has its own routes per resource), and the
desired-state models are the models each kind points at."""

ALLOWED = {
    "core/normalize.py": "the field names of the live answers the kinds' normalisers read",
    "workflows/state_records.py": "`state rm account` names the account's record, whatever its id",
}
"""Modules that still know kinds by name, and why."""

NAMES = frozenset(
    {
        "ACCOUNT",
        "CLIENT_PREFIX",
        "REGISTRATION_PREFIX",
        "DEFAULT_SEQUENCE",
        "NEW_CLIENT_PREFIX",
        "UPDATE_ACCOUNT",
        "UPDATE_CLIENT",
        "CREATE_CLIENT",
        "REGISTER_SEQUENCE",
        "SET_DEFAULT_SEQUENCE",
        "PHASES",
        "client_key",
        "registration_key",
        "account_body",
        "client_body",
    }
)
PREFIXES = ("client:", "account:", "registration:", "new-client:")
TEXTS = frozenset(
    {
        "default_sequence",
        "update account",
        "register sequence",
        "set default sequence",
        "update client",
        "create client",
    }
)
KIND_NAMES = frozenset({"account", "client", "clients", "sequence", "sequences"})
CONCRETE = frozenset(f"reconciler.core.kinds.{name}" for name in ("account", "client", "sequence"))


def breaches(path: Path) -> list[str]:
    """Where ``path`` names a concrete kind, as ``line: what``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Name) and node.id in NAMES:
            found.append(f"{line}: {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in NAMES:
            found.append(f"{line}: .{node.attr}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.startswith(PREFIXES) or node.value in TEXTS:
                found.append(f"{line}: {node.value!r}")
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            named = [
                o.value for o in operands if isinstance(o, ast.Constant) and o.value in KIND_NAMES
            ]
            found += [f"{line}: compared with {name!r}" for name in named]
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            modules = {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
            found += [f"{line}: imports {m}" for m in sorted(modules & CONCRETE)]
        elif isinstance(node, ast.Import):
            found += [f"{line}: imports {a.name}" for a in node.names if a.name in CONCRETE]
    return sorted(found, key=lambda item: int(item.partition(":")[0]))


def _scanned() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if KINDS not in path.parents
        and path.relative_to(PACKAGE).parts[0] not in OUTSIDE
        and path.relative_to(PACKAGE).as_posix() not in ALLOWED
    )


@pytest.mark.parametrize("path", _scanned(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_module_outside_the_kinds_names_a_kind(path: Path) -> None:
    assert breaches(path) == []


def test_the_allowed_modules_exist_and_still_need_it() -> None:
    for name in ALLOWED:
        assert breaches(PACKAGE / name), f"{name} no longer names a kind: take it off the list"


def test_the_scan_finds_each_way_of_naming_a_kind(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from reconciler.core.kinds import client\n"
        "from reconciler.core.plan import Action\n"
        "if call.action is Action.UPDATE_CLIENT:\n"
        "    key = 'client:' + str(1)\n"
        "if kind == 'sequence':\n"
        "    text = 'set default sequence'\n"
        "res.CLIENT_PREFIX\n"
    )
    assert breaches(bad) == [
        "1: imports reconciler.core.kinds.client",
        "3: .UPDATE_CLIENT",
        "4: 'client:'",
        "5: compared with 'sequence'",
        "6: 'set default sequence'",
        "7: .CLIENT_PREFIX",
    ]
