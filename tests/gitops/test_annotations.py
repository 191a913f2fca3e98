"""--error-format github: problems as ::error annotations at their line and column."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from reconciler.cli.annotations import github_annotation
from reconciler.desired.document import load_desired
from reconciler.errors import Problem, ValidationFailed
from tests.support.cli_env import Env

CASES = Path(__file__).resolve().parents[1] / "input" / "cases"
ANNOTATION = re.compile(r"^::error file=([^,]+),line=(\d+),col=(\d+),title=([^:]*)::(.+)$")


def test_validate_prints_one_annotation_per_problem(env: Env) -> None:
    case = CASES / "five_problems.yaml"
    with pytest.raises(ValidationFailed) as raised:
        load_desired(case, {k: v for k, v in os.environ.items() if k != "AT_PASSWORD"})
    result = env.run(
        "validate", "-f", str(case), "--error-format", "github", env={"AT_PASSWORD": None}
    )
    assert result.exit_code == 1
    assert result.stdout == ""  # stdout stays the plan's; annotations go to stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("::")]
    parsed = [ANNOTATION.match(line) for line in lines]
    assert all(parsed), lines
    found = [(m.group(1), int(m.group(2)), int(m.group(3))) for m in parsed if m]
    expected = [(p.file, p.line, p.column) for p in raised.value.problems]
    assert found == expected and len(found) == 5
    assert "problems found" in result.stderr  # the human message still goes to stderr


def test_plan_annotates_its_validation_errors_too(env: Env) -> None:
    env.edit("language: pt", "language: fr")
    lines = env.desired.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "language: fr" in text)
    column = lines[line - 1].index("fr") + 1
    result = env.run("plan", "-f", str(env.desired), "--error-format", "github")
    assert result.exit_code == 1
    assert "::error" not in result.stdout
    match = ANNOTATION.match(result.stderr.splitlines()[0])
    assert match is not None, result.stderr
    assert (int(match.group(2)), int(match.group(3))) == (line, column)
    assert match.group(4) == "reconciler%3A account.language"


def test_text_format_prints_no_annotation(env: Env) -> None:
    env.edit("language: pt", "language: fr")
    result = env.run("validate", "-f", str(env.desired))
    assert result.exit_code == 1
    assert "::error" not in result.output


def test_other_errors_become_a_file_less_annotation(env: Env) -> None:
    result = env.run(
        "plan", "-f", str(env.desired), "--error-format", "github", "--target", "nothing"
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("::error title=reconciler::unknown target 'nothing'")


def test_annotation_values_are_escaped() -> None:
    problem = Problem("a,b:c.yaml", 3, 4, "clients[0].name", "50% off,\nnew line")
    assert github_annotation(problem) == (
        "::error file=a%2Cb%3Ac.yaml,line=3,col=4,title=reconciler%3A clients[0].name"
        "::50% off,%0Anew line".replace("50%", "50%25")
    )
