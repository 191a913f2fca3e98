"""Each thing a command works on has one way in: a ``Target`` is made by one factory from one
option, and every apply, of one account or of a fleet's, makes its calls through one use case.
Read from the source with ``ast`` and from the commands click builds."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from pathlib import Path

import click

from reconciler.cli.group import main
from reconciler.cli.target_option import NAMES

PACKAGE = Path(__file__).resolve().parents[2] / "reconciler"


def _calls(name: str) -> Iterator[tuple[str, int]]:
    """Every call of a function or class named ``name`` in the package, by module and line."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called == name:
                yield str(path.relative_to(PACKAGE)), node.lineno


def _uses_target_class(module: str) -> bool:
    source = (PACKAGE / module).read_text("utf-8")
    return "from reconciler.workflows.target import" in source or module == "workflows/target.py"


def test_a_target_is_made_by_one_factory() -> None:
    made = [(module, line) for module, line in _calls("Target") if _uses_target_class(module)]
    assert [module for module, _ in made] == ["workflows/target.py"], made


def test_every_apply_makes_its_calls_through_one_use_case() -> None:
    callers = {module for module, _ in _calls("apply_and_verify")}
    assert callers == {"workflows/apply_run.py"}, callers


def _commands(group: click.Group, ctx: click.Context) -> Iterator[tuple[str, click.Command]]:
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        yield name, command
        if isinstance(command, click.Group):
            for inner, sub in _commands(command, click.Context(command, parent=ctx)):
                yield f"{name} {inner}", sub


def test_no_command_takes_the_target_flags_but_as_one_target() -> None:
    ctx = click.Context(main)
    checked = []
    for name, command in _commands(main, ctx):
        if command.callback is None:
            continue
        flags = {param.name for param in command.params} & set(NAMES)
        if not flags - {"file"}:  # validate: files to check, no known state or account
            continue
        taken = set(inspect.signature(command.callback).parameters)
        assert not taken & set(NAMES), (name, taken & set(NAMES))
        assert taken & {"target", "inputs"}, name  # with_inputs reads the target
        checked.append(name)
    assert {"plan", "apply", "refresh", "import", "show", "force-unlock"} <= set(checked)
    assert {"state move", "state list", "state show", "state rm"} <= set(checked)


def test_no_function_of_the_cli_takes_a_target_flag() -> None:
    flags = {"state_url", "sandbox", "lock_timeout"}
    found = []
    for path in sorted((PACKAGE / "cli").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names = {arg.arg for arg in (*node.args.args, *node.args.kwonlyargs)}
                if names & flags:
                    found.append((path.name, node.name, sorted(names & flags)))
    assert found == []
