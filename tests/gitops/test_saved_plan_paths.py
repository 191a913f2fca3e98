"""Saved plans record their paths relative to the plan file, so they apply from any folder."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.support.cli_env import Env


def test_a_plan_saved_with_relative_paths_applies_from_another_folder(
    env: Env, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(env.folder)
    saved = env.run("plan", "-f", "state.yaml", "--out", "plan.json")
    assert saved.exit_code == 0, saved.output
    document = json.loads((env.folder / "plan.json").read_text())
    assert document["format_version"] == 3
    assert document["desired_file"] == "state.yaml"
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    result = env.run("apply", str(env.folder / "plan.json"))
    assert result.exit_code == 0, result.output
    assert "Apply: 5 succeeded, 0 failed, 0 skipped." in result.stdout
    assert env.state_file.exists()


def test_a_plan_in_another_folder_records_the_way_back_to_its_files(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    (env.folder / "plans").mkdir()
    monkeypatch.chdir(env.folder)
    state = Path("custom.state.json")
    saved = env.run("plan", "-f", "state.yaml", "--state", str(state), "--out", "plans/plan.json")
    assert saved.exit_code == 0, saved.output
    document = json.loads((env.folder / "plans" / "plan.json").read_text())
    assert (document["desired_file"], document["state_file"]) == (
        "../state.yaml",
        "../custom.state.json",
    )
    monkeypatch.chdir(env.folder / "plans")
    result = env.run("apply", "plan.json")
    assert result.exit_code == 0, result.output
    assert (env.folder / "custom.state.json").exists()


def test_a_format_1_plan_still_reads_its_paths_from_the_working_folder(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(env.folder)
    (env.folder / "plans").mkdir()
    saved = env.run("plan", "-f", "state.yaml", "--out", "plans/plan.json")
    assert saved.exit_code == 0, saved.output
    path = env.folder / "plans" / "plan.json"
    document = json.loads(path.read_text())
    document.pop("checksum")
    document.update(format_version=1, desired_file="state.yaml")
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    document["checksum"] = "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
    path.write_text(json.dumps(document))
    result = env.run("apply", "plans/plan.json")  # from the folder `plan` ran in
    assert result.exit_code == 0, result.output
    assert "Apply: 5 succeeded" in result.stdout
