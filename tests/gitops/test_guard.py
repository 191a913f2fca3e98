"""The safety guard: mass client updates and fiscal-data changes need --force."""

from __future__ import annotations

from tests.gitops.conftest import MANY_IDS
from tests.support.cli_env import Env


def _manage_twelve_clients(env: Env) -> None:
    """Apply the example plus clients 1001..1012 (14 clients under management)."""
    env.add_clients(MANY_IDS)
    first = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert first.exit_code == 0, first.output  # a first apply is never a mass change
    env.sandbox.clear_requests()


def _change_cities(env: Env, ids: range) -> None:
    text = env.desired.read_text("utf-8")
    for i in ids:
        text = text.replace(
            f"name: Client {i}\n    city: Lisboa", f"name: Client {i}\n    city: Faro"
        )
    env.desired.write_text(text, "utf-8")


def test_updating_too_many_managed_clients_is_refused_until_forced(env: Env) -> None:
    _manage_twelve_clients(env)
    _change_cities(env, range(1001, 1006))  # 5 of 14 = 36 %
    plan = env.run("plan", "-f", str(env.desired))
    assert "warning: apply will refuse this plan without --force" in plan.stderr
    refused = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert refused.exit_code == 1
    assert "refusing to apply: it updates 5 of the 14 clients under management" in refused.stderr
    assert "--force" in refused.stderr and "RECONCILER_MAX_CHANGE_FRACTION" in refused.stderr
    assert env.calls() == []
    forced = env.run("apply", "-f", str(env.desired), "--auto-approve", "--force")
    assert forced.exit_code == 0, forced.output
    assert sorted(env.calls()) == [("PUT", f"/clients/{i}.json") for i in range(1001, 1006)]


def test_updates_within_the_threshold_go_ahead(env: Env) -> None:
    _manage_twelve_clients(env)
    _change_cities(env, range(1001, 1005))  # 4 of 14 = 29 %
    result = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert len(env.calls()) == 4


def test_the_threshold_is_configurable(env: Env) -> None:
    _manage_twelve_clients(env)
    _change_cities(env, range(1001, 1006))
    result = env.run(
        "apply",
        "-f",
        str(env.desired),
        "--auto-approve",
        env={"RECONCILER_MAX_CHANGE_FRACTION": "0.5"},
    )
    assert result.exit_code == 0, result.output
    assert len(env.calls()) == 5
    invalid = env.run("plan", "-f", str(env.desired), env={"RECONCILER_MAX_CHANGE_FRACTION": "1.5"})
    assert invalid.exit_code == 1
    assert "RECONCILER_MAX_CHANGE_FRACTION" in invalid.stderr


def test_few_managed_clients_are_no_mass_change(env: Env) -> None:
    assert env.run("apply", "-f", str(env.desired), "--auto-approve").exit_code == 0
    env.sandbox.clear_requests()
    env.edit("city: Lisboa", "city: Sintra")
    env.edit("city: Porto", "city: Braga")  # 2 of 2 managed clients: below the floor of 10
    result = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert len(env.calls()) == 2


def test_changing_account_fiscal_data_is_refused_until_forced(env: Env) -> None:
    assert env.run("apply", "-f", str(env.desired), "--auto-approve").exit_code == 0
    env.sandbox.clear_requests()
    env.edit("organization_name: Your Company Name", "organization_name: Renamed, Lda")
    refused = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert refused.exit_code == 1
    assert "it changes the fiscal data of account:12345 (organization_name)" in refused.stderr
    assert env.calls() == []
    forced = env.run("apply", "-f", str(env.desired), "--auto-approve", "--force")
    assert forced.exit_code == 0, forced.output
    assert env.calls() == [("PUT", "/api/accounts/12345/update.json")]


def test_other_account_fields_are_not_fiscal_data(env: Env) -> None:
    assert env.run("apply", "-f", str(env.desired), "--auto-approve").exit_code == 0
    env.edit("city: Lisbon", "city: Oeiras")
    result = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert result.exit_code == 0, result.output


def test_the_guard_applies_to_saved_plans(env: Env) -> None:
    _manage_twelve_clients(env)
    _change_cities(env, range(1001, 1006))
    path = env.folder / "plan.json"
    assert env.run("plan", "-f", str(env.desired), "--out", str(path)).exit_code == 0
    refused = env.run("apply", str(path))
    assert refused.exit_code == 1
    assert "refusing to apply" in refused.stderr
    assert env.run("apply", str(path), "--force").exit_code == 0
    assert len(env.calls()) == 5
