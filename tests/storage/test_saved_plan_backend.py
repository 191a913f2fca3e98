"""A saved plan remembers where its known state is kept (the database URL without its password,
and the variable that named it), so ``show`` and ``apply`` judge and apply it there."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.sandbox import Sandbox
from reconciler.storage.envelope import sealed_text
from reconciler.storage.postgres import PostgresStore
from tests.support.cli_process import API_KEY, environment, run_cli
from tests.support.many_clients import Fleet

PG_PASSWORD = "SENTINEL-pg-pw-4471"


def _with_password(url: str) -> str:
    """The test server trusts every connection, so any password is accepted (and ignored)."""
    return url.replace("postgresql://postgres@", f"postgresql://postgres:{PG_PASSWORD}@")


def _planned(tmp_path: Path, url: str, env_extra: dict[str, str], *args: str) -> tuple[Fleet, Path]:
    """An apply to the database, then a changed file planned into ``plan.json``."""
    fleet = Fleet(tmp_path, 2).write()
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        env = {**environment(base_url), **env_extra}
        first = ["apply", "-f", str(fleet.desired), "--auto-approve", "--state-url", url]
        assert run_cli(first, env).exit_code == 0
    changed = Fleet(tmp_path, 2, revision=1).write()
    out = tmp_path / "plan.json"
    saved = run_cli(["plan", "-f", str(changed.desired), *args, "--out", str(out)], env)
    assert saved.exit_code == 0, saved.output
    return changed, out


def test_a_plan_made_with_state_url_is_shown_and_applied_there_without_it(
    tmp_path: Path, postgres_url: str
) -> None:
    url = _with_password(postgres_url)
    fleet, out = _planned(tmp_path, url, {}, "--state-url", url)
    text = out.read_text()
    assert PG_PASSWORD not in text, "the plan holds no password"
    backend = json.loads(text)["backend"]
    assert backend == {"state_url": postgres_url, "variable": None}
    shown = run_cli(["show", str(out)], {"NO_COLOR": "1"})
    assert shown.exit_code == 0, shown.output
    assert "Fresh:" in shown.stdout and "Stale" not in shown.stdout
    assert f"apply it with: reconciler apply {out}" in shown.stdout
    assert "(account 'state')" in shown.stdout and PG_PASSWORD not in shown.output
    before = PostgresStore(postgres_url, "state").load().serial
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        applied = run_cli(["apply", str(out)], environment(base_url))
    assert applied.exit_code == 0, applied.output
    assert PostgresStore(postgres_url, "state").load().serial == before + fleet.calls
    assert not fleet.state_file.exists(), "nothing went to a state file"


def test_a_plan_made_with_the_variable_records_its_name(tmp_path: Path, postgres_url: str) -> None:
    url = _with_password(postgres_url)
    variables = {"RECONCILER_STATE_URL": url}
    _, out = _planned(tmp_path, url, variables)
    text = out.read_text()
    assert PG_PASSWORD not in text
    assert json.loads(text)["backend"] == {
        "state_url": postgres_url,
        "variable": "RECONCILER_STATE_URL",
    }
    shown = run_cli(["show", str(out), "--detailed-exitcode"], {"NO_COLOR": "1", **variables})
    assert shown.exit_code == 0, shown.output
    assert "RECONCILER_STATE_URL" in shown.stdout and PG_PASSWORD not in shown.output


def test_a_plan_made_with_the_file_is_applied_to_the_file_whatever_the_variable_says(
    tmp_path: Path, postgres_url: str
) -> None:
    fleet = Fleet(tmp_path, 2).write()
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    out = tmp_path / "plan.json"
    with sandbox.running_in_thread() as base_url:
        env = environment(base_url)
        saved = run_cli(["plan", "-f", str(fleet.desired), "--out", str(out)], env)
        assert saved.exit_code == 0, saved.output
        assert json.loads(out.read_text())["backend"] == {"state_url": None, "variable": None}
        later = {**env, "RECONCILER_STATE_URL": postgres_url}
        applied = run_cli(["apply", str(out)], later)
        assert applied.exit_code == 0, applied.output
        elsewhere = run_cli(["apply", str(out), "--state-url", postgres_url], env)
    assert fleet.known().serial == fleet.calls
    assert not PostgresStore(postgres_url, "state").exists()
    assert elsewhere.exit_code == 1
    assert "made with the known-state file" in elsewhere.stderr


def test_another_database_than_the_plans_is_refused_naming_both(
    tmp_path: Path, postgres_url: str
) -> None:
    _, out = _planned(tmp_path, postgres_url, {}, "--state-url", postgres_url)
    other = _with_password(postgres_url.rsplit("/", 1)[0] + "/elsewhere")
    for command in (["show", str(out)], ["apply", str(out)]):
        refused = run_cli([*command, "--state-url", other], {"NO_COLOR": "1"})
        assert refused.exit_code == 1, refused.output
        assert postgres_url in refused.stderr and "/elsewhere" in refused.stderr
        assert PG_PASSWORD not in refused.output


def test_show_detailed_exitcode_says_stale_with_2(tmp_path: Path, postgres_url: str) -> None:
    _, out = _planned(tmp_path, postgres_url, {}, "--state-url", postgres_url)
    fresh = run_cli(["show", str(out), "--detailed-exitcode"], {"NO_COLOR": "1"})
    assert fresh.exit_code == 0, fresh.output
    Fleet(tmp_path, 2, revision=2).write()
    stale = run_cli(["show", str(out), "--detailed-exitcode"], {"NO_COLOR": "1"})
    assert stale.exit_code == 2, stale.output
    assert "Stale:" in stale.stdout
    without = run_cli(["show", str(out)], {"NO_COLOR": "1"})
    assert without.exit_code == 0 and "Stale:" in without.stdout


def test_a_format_2_plan_without_a_backend_is_still_read_as_before(
    tmp_path: Path, postgres_url: str
) -> None:
    fleet, out = _planned(tmp_path, postgres_url, {}, "--state-url", postgres_url)
    document = json.loads(out.read_text())
    document.pop("checksum")
    document.pop("backend")
    document["format_version"] = 2
    out.write_text(sealed_text(document) + "\n")
    unbound = run_cli(["show", str(out)], {"NO_COLOR": "1"})
    assert unbound.exit_code == 0 and "Stale:" in unbound.stdout, unbound.output
    given = ["--state-url", postgres_url]
    shown = run_cli(["show", str(out), *given], {"NO_COLOR": "1"})
    assert shown.exit_code == 0 and "Fresh:" in shown.stdout, shown.output
    sandbox = Sandbox(api_key=API_KEY, data=fleet.sandbox_data(), rate_limit=0)
    with sandbox.running_in_thread() as base_url:
        applied = run_cli(["apply", str(out), *given], environment(base_url))
    assert applied.exit_code == 0, applied.output
