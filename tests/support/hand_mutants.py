"""Mutants of a module's declarations, made as mutmut makes its own, for the code mutmut 3
leaves alone: it mutates only function bodies, so a module of class bodies (declared fields,
their defaults and bounds) gets no mutant from it.

Each constant outside annotations and docstrings is changed (a number plus one, a text
wrapped in ``XX``, ``None`` for ``""``, a boolean negated), each ``*`` made ``/``, each keyword
argument of a call left out; the file is changed in place for one run of the tests, and put
back. Run it in a copy of the repository (tests/MUTATION.md)::

    python tests/support/hand_mutants.py reconciler/settings_values.py tests/core/test_x.py
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path


def _annotations(tree: ast.AST) -> set[int]:
    """The ids of every node inside an annotation."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign):
            inside.update(id(part) for part in ast.walk(node.annotation))
    return inside


def mutants(source: str) -> list[tuple[int, int, str, str]]:
    """Each mutant as (start, end, replacement, label), by character offsets."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def span(node: ast.expr | ast.keyword) -> tuple[int, int]:
        assert node.end_lineno is not None and node.end_col_offset is not None
        first = lines[node.lineno - 1].encode()[: node.col_offset].decode()
        last = lines[node.end_lineno - 1].encode()[: node.end_col_offset].decode()
        return starts[node.lineno - 1] + len(first), starts[node.end_lineno - 1] + len(last)

    skipped = _annotations(tree)
    found: list[tuple[int, int, str, str]] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Constant):
            start, end = span(node)
            value = node.value
            if isinstance(value, str) and source[start:end].startswith(('"""', "'''")):
                continue  # a docstring
            if value is None:
                found.append((start, end, '""', 'None -> ""'))
            elif isinstance(value, bool):
                found.append((start, end, repr(not value), f"{value} -> {not value}"))
            elif isinstance(value, str):
                found.append((start, end, repr(f"XX{value}XX"), f"{value!r} -> 'XX…XX'"))
            elif isinstance(value, int | float):
                found.append((start, end, repr(value + 1), f"{value!r} -> {value + 1!r}"))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            start, end = span(node)
            left, right = (source[slice(*span(side))] for side in (node.left, node.right))
            found.append((start, end, f"{left} / {right}", "* -> /"))
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                start, end = span(keyword)
                rest = source[end:]
                if rest.lstrip().startswith(","):
                    end += len(rest) - len(rest.lstrip()) + 1
                else:  # the last argument: the comma before it goes
                    start = len(source[:start].rstrip()) - 1
                found.append((start, end, "", f"{keyword.arg}= left out"))
    return sorted(found)


def main(path: Path, tests: list[str]) -> int:
    """Run ``tests`` against each mutant of ``path``; print each outcome; the survivors."""
    source = path.read_text("utf-8")
    survived = 0
    found = mutants(source)
    for start, end, new, label in found:
        path.write_text(source[:start] + new + source[end:], "utf-8")
        try:
            ran = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-q",
                    "-x",
                    "-n",
                    "0",
                    "-p",
                    "no:cacheprovider",
                    *tests,
                ],
                capture_output=True,
                check=False,
            )
        finally:
            path.write_text(source, "utf-8")
        line = source.count("\n", 0, start) + 1
        outcome = "killed" if ran.returncode else "survived"
        survived += not ran.returncode
        print(f"{outcome:8} line {line}: {label}", flush=True)
    print(f"{len(found)} mutants, {len(found) - survived} killed, {survived} survived")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2:]))
