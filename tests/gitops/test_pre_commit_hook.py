"""The pre-commit hook, run as pre-commit runs it: in a fresh clone, on the files its
``files`` pattern and ``types`` select, its ``entry`` followed by their names."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.support.cli_env import ROOT

RECONCILER = Path(sys.executable).with_name("reconciler")
MINIMAL = (ROOT / "examples" / "minimal.yaml").read_text("utf-8")
ACCOUNT = (ROOT / "examples" / "multi-account" / "accounts" / "lisboa.yaml").read_text("utf-8")
YAML_SUFFIXES = (".yaml", ".yml")  # pre-commit's ``types: [yaml]``


def _hook() -> dict[str, Any]:
    hooks = YAML(typ="safe", pure=True).load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "reconciler-validate"
    return dict(hook)


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, check=True, timeout=60
    ).stdout


def _repository(folder: Path, files: dict[str, str]) -> Path:
    """A repository holding ``files``, committed, then cloned afresh: what pre-commit sees."""
    origin = folder / "origin"
    for name, text in files.items():
        (origin / name).parent.mkdir(parents=True, exist_ok=True)
        (origin / name).write_text(text, "utf-8")
    _git(origin, "init", "-q")
    _git(origin, "add", ".")
    _git(origin, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "files")
    clone = folder / "clone"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True, timeout=60)
    return clone


def _run_hook(clone: Path) -> tuple[list[str], subprocess.CompletedProcess[str]]:
    hook = _hook()
    pattern = re.compile(hook["files"])
    chosen = [
        name
        for name in _git(clone, "ls-files").splitlines()
        if pattern.search(name) and name.endswith(YAML_SUFFIXES)
    ]
    entry = shlex.split(hook["entry"])
    assert entry[0] == "reconciler"
    ran = subprocess.run(
        [str(RECONCILER), *entry[1:], *hook.get("args", []), *chosen],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )
    return chosen, ran


OTHER_YAML = {
    ".pre-commit-config.yaml": "repos: []\n",
    ".github/workflows/ci.yml": "on: push\njobs: {}\n",
    "docs/notes.yaml": "not: a desired state\n",
    "state.example.yaml.orig": "x\n",
}


def test_the_hook_checks_a_state_yaml_at_the_top_of_the_repository(tmp_path: Path) -> None:
    clone = _repository(tmp_path, {"state.yaml": MINIMAL, **OTHER_YAML})
    chosen, ran = _run_hook(clone)
    assert chosen == ["state.yaml"]
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_the_hook_checks_every_account_file_of_a_fleet(tmp_path: Path) -> None:
    files = {"accounts/lisboa.yaml": ACCOUNT, "accounts/porto.yml": MINIMAL, **OTHER_YAML}
    clone = _repository(tmp_path, files)
    chosen, ran = _run_hook(clone)
    assert sorted(chosen) == ["accounts/lisboa.yaml", "accounts/porto.yml"]
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_the_hook_fails_the_commit_on_a_bad_file_naming_it(tmp_path: Path) -> None:
    bad = MINIMAL.replace("email: foo@bar.com", "email: foo@bar..com")
    clone = _repository(tmp_path, {"state.yaml": bad, "accounts/porto.yaml": MINIMAL})
    chosen, ran = _run_hook(clone)
    assert sorted(chosen) == ["accounts/porto.yaml", "state.yaml"]
    assert ran.returncode == 1
    assert "state.yaml:8:12" in ran.stdout + ran.stderr
