"""Each planned call says where it was declared: text, JSON, Markdown (CI links), saved plans."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema

from reconciler.core.plan import Plan, Source
from reconciler.render.links import SourceLinks, source_links
from reconciler.storage.saved_plans import check_fresh, load_plan, save_plan
from tests.support.cli_env import Env

SHA = "0123456789abcdef0123456789abcdef01234567"
HEAD = "fedcba9876543210fedcba9876543210fedcba98"
NO_CI: dict[str, str | None] = {
    name: None
    for name in (
        "GITHUB_SERVER_URL",
        "GITHUB_REPOSITORY",
        "GITHUB_SHA",
        "GITHUB_HEAD_SHA",
        "GITHUB_WORKSPACE",
        "RECONCILER_SOURCE_URL",
    )
}


def _where(path: Path, text: str, within: str = "") -> tuple[int, int]:
    """The line and column where ``text`` starts, after the line holding ``within``."""
    lines = path.read_text("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if within in line) if within else 0
    for number, line in enumerate(lines[start:], start + 1):
        if text in line:
            return number, line.index(text) + 1
    raise AssertionError(text)


def _expected(env: Env) -> list[tuple[int, int]]:
    """Where state.example.yaml declares each of its five calls, in plan order."""
    return [
        _where(env.desired, "id: 12345", "account:"),
        _where(env.desired, "146090]", "register:"),
        _where(env.desired, "146090", "default:"),
        _where(env.desired, "id: 42", "clients:"),
        _where(env.desired, "id: 43", "clients:"),
    ]


def _plan(env: Env, *args: str, environ: dict[str, str | None] | None = None) -> str:
    result = env.run("plan", "-f", str(env.desired), *args, env={**NO_CI, **(environ or {})})
    assert result.exit_code in (0, 2), result.output
    return result.stdout


def test_each_json_call_has_the_file_line_and_column_that_declared_it(
    env: Env, plan_schema: dict[str, Any]
) -> None:
    document = json.loads(_plan(env, "--format", "json"))
    jsonschema.validate(document, plan_schema)
    sources = [call["source"] for call in document["calls"]]
    assert {source["file"] for source in sources} == {str(env.desired)}
    assert [(s["line"], s["column"]) for s in sources] == _expected(env)


def test_the_text_plan_shows_the_line_after_each_calls_heading(env: Env) -> None:
    text = _plan(env)
    client_line = _expected(env)[3][0]
    heading = next(line for line in text.splitlines() if "update client 42" in line)
    assert heading.endswith(f"(never applied)  {env.desired}:{client_line}")


def test_the_markdown_plan_links_each_call_to_its_line_on_the_commit(env: Env) -> None:
    ci = {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/books",
        "GITHUB_SHA": SHA,
        "GITHUB_WORKSPACE": str(env.folder),
    }
    text = _plan(env, "--format", "markdown", environ=ci)
    base = f"https://github.com/acme/books/blob/{SHA}/state.yaml"
    for line, _ in _expected(env):
        assert f"declared at [`{env.desired}:{line}`]({base}#L{line})" in text
    # The head of a pull request, when the workflow says which it is, wins over GITHUB_SHA.
    head = _plan(env, "--format", "markdown", environ={**ci, "GITHUB_HEAD_SHA": HEAD})
    assert f"/blob/{HEAD}/state.yaml#L" in head and SHA not in head


def test_without_a_repository_and_commit_the_markdown_names_the_line_without_a_link(
    env: Env,
) -> None:
    text = _plan(env, "--format", "markdown", environ={"GITHUB_SHA": SHA})
    line = _expected(env)[3][0]
    assert f"declared at `{env.desired}:{line}`\n" in text
    assert "](" not in text


def test_links_take_an_explicit_address_and_leave_out_files_outside_the_checkout(
    tmp_path: Path,
) -> None:
    environ = {
        "RECONCILER_SOURCE_URL": "https://git.example/acme/books/src/commit/abc (x)",
        "GITHUB_WORKSPACE": str(tmp_path / "repo"),
    }
    links = source_links(environ, Path("/elsewhere"))
    assert links == SourceLinks(
        "https://git.example/acme/books/src/commit/abc%20%28x%29", tmp_path / "repo"
    )
    inside = Source(str(tmp_path / "repo" / "accounts" / "lisboa.yaml"), 42, 5)
    assert links.url(inside) == f"{links.base}/accounts/lisboa.yaml#L42"
    assert links.url(Source(str(tmp_path / "other.yaml"), 1, 1)) is None
    # A commit that is not a commit id gives no links at all.
    github = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "a/b"}
    assert source_links({**github, "GITHUB_SHA": "main"}, tmp_path) is None
    assert source_links({**github, "GITHUB_SHA": SHA}, tmp_path) is not None


def test_a_saved_plan_keeps_the_sources_and_a_moved_declaration_does_not_make_it_stale(
    env: Env,
) -> None:
    """Freshness compares method, path and body only; the file's checksum catches any edit."""
    path = env.folder / "plan.json"
    result = env.run("plan", "-f", str(env.desired), "--out", str(path), env=NO_CI)
    assert result.exit_code == 0, result.output
    saved = load_plan(path)
    assert [c["source"]["line"] for c in saved.document["calls"]] == [
        line for line, _ in _expected(env)
    ]
    plan = _plan_object(saved.document)
    moved = replace(
        plan, calls=tuple(replace(c, source=Source("elsewhere.yaml", 99, 1)) for c in plan.calls)
    )
    check_fresh(saved, saved.binding, moved)  # raises StalePlan if the sources counted
    # A plan saved before calls had sources is still read and checked the same way.
    old = env.folder / "old-plan.json"
    unplaced = replace(plan, calls=tuple(replace(c, source=None) for c in plan.calls))
    save_plan(old, unplaced, saved.binding)
    check_fresh(load_plan(old), saved.binding, plan)


def _plan_object(document: dict[str, Any]) -> Plan:
    """The calls of a saved plan document as Call objects, to check freshness against."""
    from reconciler.core.diff import FieldChange
    from reconciler.core.kinds import registry
    from reconciler.core.plan import Call, Reason

    calls = tuple(
        Call(
            sort_key=(0, index),
            action=registry.action_named(call["action"]),
            resource=call["resource"],
            target_id=call["target_id"],
            method=call["method"],
            path=call["path"],
            body=call["body"],
            changes=tuple(FieldChange(c["path"], c["before"], c["after"]) for c in call["changes"]),
            reason=Reason(call["reason"]),
            source=Source(**call["source"]),
        )
        for index, call in enumerate(document["calls"])
    )
    return Plan(calls, (), document["known_state"]["lineage"], 0, "")
