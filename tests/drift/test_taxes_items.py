"""Taxes and items, resources the file names: adopted by name, updated by id with one call,
created when allowed (never twice), drift, removal, validation; decimals exact on the wire."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from reconciler.sandbox import Faults
from tests.drift.conftest import write
from tests.support.cli_env import Env


@dataclass(frozen=True)
class Case:
    """One kind's file, a change of one field, and a resource to create."""

    kind: str
    slot: str
    file: str
    id: int
    changed: str
    body: dict[str, Any]
    field: str
    live: str
    new: str
    created: dict[str, Any]


TAX = Case(
    kind="tax",
    slot="taxes",
    file="taxes:\n  - name: IVA13\n    value: 13.0\n    region: PT\n",
    id=31541,
    changed="taxes:\n  - name: IVA13\n    value: 13.5\n    region: PT\n",
    body={"tax": {"name": "IVA13", "value": "13.5", "region": "PT"}},
    field="value",
    live="14.0",
    new="taxes:\n  - name: IVA5\n    value: 5.5\n    region: PT-MA\n    code: RED\n",
    created={"tax": {"name": "IVA5", "value": "5.5", "region": "PT-MA", "code": "RED"}},
)
ITEM = Case(
    kind="item",
    slot="items",
    file="items:\n  - name: Livro\n    unit_price: 24.90\n    unit: unit\n    tax: IVA6\n",
    id=402323,
    changed="items:\n  - name: Livro\n    unit_price: 19.99\n    unit: unit\n    tax: IVA6\n",
    body={
        "item": {"name": "Livro", "unit_price": "19.99", "unit": "unit", "tax": {"name": "IVA6"}}
    },
    field="unit_price",
    live="30.00",
    new=(
        "items:\n  - name: Caneta\n    description: Caneta azul\n    unit_price: 1.10\n"
        "    unit: unit\n    tax: IVA23\n"
    ),
    created={
        "item": {
            "name": "Caneta",
            "description": "Caneta azul",
            "unit_price": "1.10",
            "unit": "unit",
            "tax": {"name": "IVA23"},
        }
    },
)
CASES = pytest.mark.parametrize("case", [TAX, ITEM], ids=["tax", "item"])


def _apply(env: Env, *flags: str) -> str:
    result = env.run("apply", "-f", str(env.desired), "--auto-approve", *flags)
    assert result.exit_code == 0, result.output
    return result.output


def _writes(env: Env) -> list[tuple[str, str, Any]]:
    return [(r.method, r.path, r.body) for r in env.sandbox.requests if r.method != "GET"]


def _recorded(env: Env) -> dict[str, Any]:
    resources: dict[str, Any] = json.loads(env.state_file.read_text())["resources"]
    return resources


@CASES
def test_adopted_by_name_then_one_field_changed_is_one_call_and_a_rerun_is_a_no_op(
    env: Env, case: Case
) -> None:
    write(env, case.file)
    plan = env.run("plan", "-f", str(env.desired))
    assert f"found on the live account: adopted as {case.id}" in plan.output, plan.output
    _apply(env)
    assert f"{case.kind}:{case.id}" in _recorded(env)
    write(env, case.changed)
    env.sandbox.clear_requests()
    _apply(env)
    path = f"/{case.slot}/{case.id}.json"
    assert _writes(env) == [("PUT", path, case.body)]
    env.sandbox.clear_requests()
    again = env.run("plan", "-f", str(env.desired), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert env.calls() == []  # resolved from the known state: nothing read, nothing sent


@CASES
def test_created_when_allowed_with_decimals_exact_in_the_body(env: Env, case: Case) -> None:
    write(env, case.new)
    refused = env.run("plan", "-f", str(env.desired))
    assert refused.exit_code == 1
    assert f"state.yaml:2:11: {case.slot}[0].name: no {case.kind} is named" in refused.output
    assert "--create-missing" in refused.output
    _apply(env, "--create-missing")
    posts = [(path, body) for method, path, body in _writes(env) if method == "POST"]
    assert posts == [(f"/{case.slot}.json", case.created)]
    name = case.created[case.kind]["name"]
    made = [r for r in env.sandbox.snapshot()[case.slot] if r["name"] == name]
    assert len(made) == 1
    assert f"{case.kind}:{made[0]['id']}" in _recorded(env)
    env.sandbox.clear_requests()
    again = env.run("plan", "-f", str(env.desired), "--detailed-exitcode")
    assert again.exit_code == 0, again.output


@CASES
def test_the_files_option_allows_creation(env: Env, case: Case) -> None:
    write(env, f"options:\n  create_missing_{case.slot}: true\n{case.new}")
    _apply(env)
    assert [m for m, _, _ in _writes(env)] == ["POST"]


@CASES
def test_a_create_whose_answer_was_lost_is_found_by_name_not_sent_again(
    env: Env, case: Case
) -> None:
    write(env, case.new)
    env.sandbox.faults = Faults(lost_rate=1.0)  # created, the answer lost
    _apply(env, "--create-missing")
    env.sandbox.faults = Faults()
    calls = env.calls()
    assert calls.count(("POST", f"/{case.slot}.json")) == 1
    name = case.created[case.kind]["name"]
    made = [r for r in env.sandbox.snapshot()[case.slot] if r["name"] == name]
    assert len(made) == 1
    assert f"{case.kind}:{made[0]['id']}" in _recorded(env)


@CASES
def test_a_hand_edit_is_drift_found_by_refresh_and_planned_back(env: Env, case: Case) -> None:
    write(env, case.file)
    _apply(env)

    def edit(data: dict[str, Any]) -> None:
        record = next(r for r in data[case.slot] if r["id"] == case.id)
        record[case.field] = case.live

    env.sandbox.edit(edit)
    result = env.run("plan", "-f", str(env.desired), "--refresh", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    applied = case.body[case.kind][case.field]
    before = {"tax": "13.0", "item": "24.90"}[case.kind]
    assert f'{case.field}: "{before}" → "{case.live}"  (applied → live)' in result.output
    assert f'{case.field}: "{case.live}" → "{before}"' in result.output
    assert applied != before
    _apply(env)
    again = env.run("plan", "-f", str(env.desired), "--refresh", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


@CASES
def test_one_removed_from_the_file_is_reported_and_forgotten_without_a_call(
    env: Env, case: Case
) -> None:
    write(env, case.file)
    _apply(env)
    write(env, f"{case.slot}: []\n")
    env.sandbox.clear_requests()
    plan = env.run("plan", "-f", str(env.desired), "--detailed-exitcode")
    assert plan.exit_code == 2, plan.output
    assert f"no longer managed: {case.kind} {case.id}" in plan.output
    _apply(env)
    assert env.calls() == []
    assert f"{case.kind}:{case.id}" not in _recorded(env)


def test_two_default_taxes_and_too_many_decimals_are_refused_at_their_place(env: Env) -> None:
    write(
        env,
        "taxes:\n  - name: IVA23\n    default_tax: 1\n  - name: IVA13\n    value: 13.05\n"
        "    default_tax: 1\nitems:\n  - name: Livro\n    unit_price: 24.999\n",
    )
    result = env.run("validate", str(env.desired))
    assert result.exit_code == 1
    assert "state.yaml:6:18: taxes[1].default_tax: only one tax can be the default" in result.output
    assert "state.yaml:5:12: taxes[1].value: 13.05 has too many decimals" in result.output
    assert "state.yaml:9:17: items[0].unit_price: 24.999 has too many decimals" in result.output


def test_an_item_naming_a_tax_found_nowhere_is_an_error_at_its_tax(env: Env) -> None:
    write(env, "items:\n  - name: Livro\n    tax: IVA99\n")
    result = env.run("plan", "-f", str(env.desired))
    assert result.exit_code == 1
    assert (
        "state.yaml:3:10: items[0].tax: no tax is named 'IVA99' in the file or on the live account"
        in result.output
    )
    assert _writes(env) == []


def test_an_item_may_name_a_tax_the_file_creates(env: Env) -> None:
    write(env, TAX.new + "items:\n  - name: Livro\n    tax: IVA5\n")
    _apply(env, "--create-missing")
    assert [m for m, _, _ in _writes(env)] == ["POST", "PUT"]
    assert _writes(env)[1][2] == {"item": {"name": "Livro", "tax": {"name": "IVA5"}}}


BOTH = (
    "taxes:\n  - name: IVA13\n    value: 13.5\n  - name: IVA6\n    value: 6.0\n"
    "items:\n  - name: Livro\n    unit_price: 19.99\n"
)


def test_targets_saved_plans_json_and_markdown_name_taxes_and_items(env: Env) -> None:
    import jsonschema

    from tests.support.cli_env import ROOT

    write(env, BOTH)
    targeted = env.run("plan", "-f", str(env.desired), "--target", "tax:31541", "--target", "items")
    assert targeted.exit_code == 0, targeted.output
    assert "Plan: 2 calls (1 update tax, 1 update item)" in targeted.output
    document = json.loads(env.run("plan", "-f", str(env.desired), "--format", "json").stdout)
    jsonschema.validate(document, json.loads((ROOT / "schema/plan.schema.json").read_text()))
    calls = {c["resource"]: c for c in document["calls"]}
    assert set(calls) == {"tax:31541", "tax:31542", "item:402323"}
    assert calls["tax:31541"]["action"] == "update tax"
    assert calls["item:402323"]["source"]["line"] == 7
    markdown = env.run("plan", "-f", str(env.desired), "--format", "markdown").output
    assert "update tax" in markdown and "update item" in markdown
    saved = env.folder / "plan.json"
    out = env.run("plan", "-f", str(env.desired), "--target", "taxes", "--out", str(saved))
    assert out.exit_code == 0, out.output
    env.sandbox.clear_requests()
    applied = env.run("apply", str(saved), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert sorted(p for m, p, _ in _writes(env)) == ["/taxes/31541.json", "/taxes/31542.json"]
    assert "item:402323" not in _recorded(env)


def test_verify_reads_back_taxes_and_items(env: Env) -> None:
    write(env, BOTH)
    result = env.run("apply", "-f", str(env.desired), "--auto-approve", "--verify")
    assert result.exit_code == 0, result.output
    assert "Verify: 3 calls read back; all converged." in result.output


def test_updating_most_items_at_once_is_a_mass_change_the_guard_stops(env: Env) -> None:
    names = [f"Item {n}" for n in range(10)]
    lines = "".join(
        f"  - name: {n}\n    description: D\n    unit_price: 1.00\n    unit: unit\n" for n in names
    )
    write(env, "items:\n" + lines)
    _apply(env, "--create-missing")
    write(env, "items:\n" + lines.replace("1.00", "2.00"))
    env.sandbox.clear_requests()
    refused = env.run("apply", "-f", str(env.desired), "--auto-approve")
    assert refused.exit_code == 1, refused.output
    assert "it updates 10 of the 10 items under management" in refused.output
    assert _writes(env) == []


def test_an_item_known_from_before_stays_resolved_when_only_a_new_tax_is_looked_up(
    env: Env,
) -> None:
    write(env, ITEM.file)
    _apply(env)
    write(env, TAX.file + ITEM.file)
    env.sandbox.clear_requests()
    plan = env.run("plan", "-f", str(env.desired))
    assert plan.exit_code == 0, plan.output
    assert "Plan: 1 call (1 update tax)" in plan.output
    assert ("GET", "/items.json") not in env.calls()


def test_the_catalogue_example_applies_to_the_sandbox_and_its_second_run_is_a_no_op(
    env: Env,
) -> None:
    from tests.support.cli_env import ROOT

    write(env, (ROOT / "examples" / "catalogue.yaml").read_text("utf-8"))
    first = _apply(env)
    assert "Apply: 7 succeeded, 0 failed" in first
    env.sandbox.clear_requests()
    second = _apply(env)
    assert "No changes." in second
    assert env.calls() == []


def test_a_target_names_a_tax_or_an_item_by_name_as_written(env: Env) -> None:
    write(env, BOTH.replace("items:", "  - name: IVA5\n    value: 5.5\n    region: PT\nitems:"))
    plan = env.run(
        "plan", "-f", str(env.desired), "--create-missing", "--target", "tax:IVA6",
        "--target", "tax:IVA5", "--target", "item:Livro",
    )  # fmt: skip
    assert plan.exit_code == 0, plan.output
    assert "Plan: 3 calls (1 update tax, 1 create tax, 1 update item)" in plan.output
    assert "update tax 31542" in plan.output and "IVA13" not in plan.output.split("Plan:")[-1]
    wrong_case = env.run("plan", "-f", str(env.desired), "--create-missing", "--target", "tax:iva6")
    assert wrong_case.exit_code == 1
    assert "target 'tax:iva6' matches nothing the desired state declares" in wrong_case.output


def test_one_to_create_without_the_fields_the_api_needs_is_refused_at_plan(env: Env) -> None:
    write(env, "taxes:\n  - name: IVA5\n    value: 5.0\nitems:\n  - name: Caneta\n    unit: unit\n")
    result = env.run("plan", "-f", str(env.desired), "--create-missing")
    assert result.exit_code == 1
    assert (
        "state.yaml:2:5: taxes[0]: tax 'IVA5' is not on the account: creating it needs region"
        in result.output
    )
    assert (
        "state.yaml:5:5: items[0]: item 'Caneta' is not on the account: creating it needs "
        "description, unit_price" in result.output
    )
    assert _writes(env) == []


def test_import_writes_taxes_and_items_back_exactly_and_the_plan_is_empty(env: Env) -> None:
    env.sandbox.edit(lambda data: data["items"][0].update(unit_price="60.10"))
    env.desired.unlink()
    result = env.run("import", "-f", str(env.desired), "--account-id", "12345")
    assert result.exit_code == 0, result.output
    text = env.desired.read_text("utf-8")
    assert "taxes:" in text and "items:" in text
    assert "name: IVA23" in text and "name: Formação" in text
    assert "unit_price: 60.10" in text or "unit_price: '60.10'" in text
    env.sandbox.clear_requests()
    plan = env.run("plan", "-f", str(env.desired), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert env.calls() == []
    refreshed = env.run("plan", "-f", str(env.desired), "--refresh", "--detailed-exitcode")
    assert refreshed.exit_code == 0, refreshed.output


def test_reimport_in_place_updates_a_named_tax_and_keeps_comments(env: Env) -> None:
    write(
        env,
        "account:\n  id: 12345\n"
        "taxes:\n  - name: IVA13  # the intermediate rate\n    value: 13.0\n",
    )
    _apply(env)
    env.sandbox.edit(lambda data: data["taxes"][1].update(value="12.0"))
    result = env.run("import", "-f", str(env.desired))
    assert result.exit_code == 0, result.output
    text = env.desired.read_text("utf-8")
    assert "# the intermediate rate" in text
    assert "value: 12.0" in text
    plan = env.run("plan", "-f", str(env.desired), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
