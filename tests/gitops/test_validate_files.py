"""validate over several files (as a pre-commit hook passes them), and unset variables."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli_env import ROOT, Env

CASES = ROOT / "tests" / "input" / "cases"


def test_several_files_are_checked_and_every_problem_reported(env: Env) -> None:
    valid, broken = str(ROOT / "state.example.yaml"), str(CASES / "five_problems.yaml")
    result = env.run("validate", valid, broken, "--error-format", "github")
    assert result.exit_code == 1
    assert f"{valid}: valid (1 account, 2 clients, 1 sequence to register)" in result.stdout
    annotated = [line for line in result.stderr.splitlines() if line.startswith("::error")]
    assert len(annotated) == 4  # AT_PASSWORD is set here: four problems remain
    assert all(f"file={broken}," in line for line in annotated)


def test_unset_variables_fail_unless_allowed(env: Env, tmp_path: Path) -> None:
    env.edit("${AT_PASSWORD:-sandbox-pass}", "${AT_PASSWORD}")
    example = str(env.desired)
    strict = env.run("validate", example, env={"AT_PASSWORD": None})
    assert strict.exit_code == 1
    assert "environment variable AT_PASSWORD is not set" in strict.stderr
    allowed = env.run("validate", "--allow-unset-env", example, env={"AT_PASSWORD": None})
    assert allowed.exit_code == 0, allowed.output
    assert "valid, apart from unset environment variables" in allowed.stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text("account:\n  id: 1\n  city: ${RECONCILER_VAR_CITY}\n  language: xx\n")
    still = env.run("validate", "--allow-unset-env", str(broken))
    assert still.exit_code == 1
    assert "account.language" in still.stderr and "CITY" not in still.stderr
