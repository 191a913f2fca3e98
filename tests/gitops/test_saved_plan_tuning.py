"""A saved plan is applied with the tool settings its ``apply`` is given on the command line,
as a plan made by the apply itself is: the saved plan names its own files, not the flags."""

from __future__ import annotations

from tests.support.cli_env import Env


def test_parallelism_wins_over_the_variable_when_a_saved_plan_is_applied(env: Env) -> None:
    out_of_range = {"RECONCILER_CONCURRENCY": "0"}  # refused wherever it is read
    saved = env.folder / "reviewed.plan"
    made = env.run(
        "plan", "-f", str(env.desired), "--out", str(saved), "--parallelism", "2", env=out_of_range
    )
    assert made.exit_code == 0, made.output
    refused = env.run("apply", str(saved), env=out_of_range)
    assert refused.exit_code == 1 and "RECONCILER_CONCURRENCY" in refused.stderr
    applied = env.run("apply", str(saved), "--parallelism", "2", env=out_of_range)
    assert applied.exit_code == 0, applied.output
    assert "RECONCILER_CONCURRENCY" not in applied.stderr
    assert "Apply: 5 succeeded" in applied.stdout
