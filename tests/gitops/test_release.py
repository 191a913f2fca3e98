"""Release hygiene: the licence, the changelog, the distribution's metadata, install hints and
the links a reader of the package index follows."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.support.cli_env import ROOT

PYPROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
PROJECT: dict[str, Any] = PYPROJECT["project"]
WORKFLOW = ROOT / "examples" / "github-actions" / "reconciler.yml"
DISTRIBUTION = "invoicexpress-reconciler"


def test_the_licence_is_the_mit_licence_the_metadata_declares() -> None:
    licence = (ROOT / "LICENSE").read_text("utf-8")
    assert licence.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in licence
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]


def test_the_changelog_lists_what_the_unreleased_version_adds() -> None:
    text = (ROOT / "CHANGELOG.md").read_text("utf-8")
    assert "[Keep a Changelog](https://keepachangelog.com/" in text
    unreleased = text.split("## [Unreleased]", 1)[1].split("\n## [", 1)[0]
    for heading in ("### Added", "### Changed", "### Fixed"):
        assert heading in unreleased
    for item in (
        "only when named",
        "--env-file PATH",
        "RECONCILER_ALLOWED_HOSTS",
        "RECONCILER_VAR_<NAME>",
        "RECONCILER_ALLOWED_VARS",
        "proves it is still granted before each batch",
        "escaped in every output",
        "Pacing reworked",
    ):
        assert item in unreleased, item


def test_the_metadata_has_classifiers_for_every_python_it_supports() -> None:
    classifiers = PROJECT["classifiers"]
    assert PROJECT["name"] == DISTRIBUTION
    assert PROJECT["requires-python"] == ">=3.11"
    for version in ("3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {version}" in classifiers
    assert "Typing :: Typed" in classifiers  # reconciler/py.typed ships in the wheel
    # PEP 639: the licence is the SPDX expression; a licence classifier is refused beside it.
    assert not any(c.startswith("License ::") for c in classifiers)
    assert PROJECT["keywords"]


def test_project_urls_are_absolute_and_name_no_guessed_repository() -> None:
    urls = PROJECT["urls"]
    assert urls
    for label, url in urls.items():
        assert re.fullmatch(r"https://[^\s/]+(/\S*)?", url), label


def test_every_relative_link_of_the_readme_names_a_file_of_the_repository() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    relative = [link for link in links if not re.match(r"[a-z]+:", link)]
    assert relative
    for link in relative:
        assert (ROOT / link).exists(), link


def test_the_readme_says_how_to_install_from_a_clone_and_names_the_distribution() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    assert "pip install 'reconciler" not in text and 'pip install "reconciler' not in text
    assert f"pip install '{DISTRIBUTION}[postgres]'" in text
    assert "git clone" in text
    assert "pip install '.[postgres]'" in text


def test_the_example_workflow_installs_reconciler_from_a_pinned_checkout() -> None:
    workflow = YAML(typ="safe", pure=True).load(WORKFLOW.read_text("utf-8"))
    for name, job in workflow["jobs"].items():
        steps = job["steps"]
        runs = [step.get("run", "") for step in steps]
        first_use = next(i for i, run in enumerate(runs) if re.search(r"^reconciler ", run, re.M))
        checkout = next(
            step
            for step in steps[:first_use]
            if step.get("with", {}).get("path") == ".reconciler-source"
        )
        assert checkout["with"]["repository"] == "${{ vars.RECONCILER_REPOSITORY }}", name
        assert checkout["with"]["ref"] == "${{ vars.RECONCILER_COMMIT }}", name
        assert checkout["with"]["persist-credentials"] is False, name
        install = next(run for run in runs[:first_use] if "pip install" in run)
        assert 'pip install "./.reconciler-source[postgres]"' in install, name
        assert '"reconciler, version ${RECONCILER_VERSION}"' in install, name
        assert f"pip install {DISTRIBUTION}" not in "\n".join(runs), name


def test_nothing_names_the_unrelated_reconciler_distribution() -> None:
    places = [ROOT / "README.md", WORKFLOW, *sorted((ROOT / "reconciler").rglob("*.py"))]
    for path in places:
        text = path.read_text("utf-8")
        assert "'reconciler[" not in text and '"reconciler[' not in text, path
        assert not re.search(r"pip install reconciler\b", text), path


def test_readme_relative_links_are_explained_until_the_repository_has_an_address() -> None:
    # The package index shows the README without the repository, so relative links break
    # there; they stay relative (and resolvable, above) until the repository's public
    # address is known, and the README says so.
    text = Path(ROOT / "README.md").read_text("utf-8")
    assert "relative to the repository" in text
