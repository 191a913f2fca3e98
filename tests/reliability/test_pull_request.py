"""A pull request written by an attacker, planned the way CI plans it.

The repository holds a `.env` naming another host, hostile `${...}` references, an account file
whose name is markup and terminal escapes, and a client without an id (so the plan reads the
live account). CI's environment holds a real-looking API key per account, a GitHub token and
the AT password. Planned in every format, and validated as GitHub annotations: nothing reaches
any host but the accounts' own, and no secret is printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web
from markdown_it import MarkdownIt

from reconciler.sandbox import Sandbox
from reconciler.settings import account_suffix
from tests.support.cli_process import AT_PASSWORD, run_cli
from tests.support.fleet_accounts import Account, make_accounts, serving
from tests.support.hostile import Seen
from tests.support.hostile import serving as hostile_serving

HOSTILE_NAME = "a` <h1>APPROVED <img src=x>\x1b[31m\x1b]0;pwned\x07"
GITHUB_TOKEN = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"
DEFAULT_KEY = "ixk-default-7c2e91b04d"  # CI's unsuffixed key, for accounts it names no key for


@pytest.fixture
def attacker() -> Iterator[tuple[str, Seen]]:
    """A server on another loopback port that records whatever reaches it."""
    seen = Seen()

    async def handler(request: web.Request) -> web.Response:
        await seen.note(request)
        return web.json_response({"clients": [], "pagination": {"total_entries": 0}})

    with hostile_serving(handler) as url:
        yield url, seen


def _pull_request(tmp_path: Path, attacker_url: str) -> list[Account]:
    """The repository as the pull request leaves it; returns its accounts."""
    repository = tmp_path / "repo"
    (repository / ".git").mkdir(parents=True)
    accounts = make_accounts(repository, ("lisboa", "porto", HOSTILE_NAME))
    # The pull request adds an account CI has no settings for: it runs on the unsuffixed ones.
    accounts[2].sandbox = Sandbox(
        api_key=DEFAULT_KEY, data=accounts[2].shape.sandbox_data(), rate_limit=0
    )
    lisboa, porto, hostile = accounts
    # Hostile references in ordinary fields: a CI token, another account's key, the AT password.
    text = lisboa.file.read_text()
    text = text.replace("city: Lisboa", 'city: "${GITHUB_TOKEN}"', 1)
    text = text.replace('city: "Cidade 1000"', 'city: "${INVOICEXPRESS_API_KEY_PORTO}"', 1)
    text = text.replace('city: "Cidade 1001"', 'city: "x ${AT_PASSWORD} y"', 1)
    lisboa.file.write_text(text)
    # A client without an id: planning it looks the code up on the live account.
    for account in (porto, hostile):
        account.file.write_text(
            account.file.read_text().replace(
                '  - id: 1000\n    code: "C01000"', '  - code: "OLD1000"'
            )
        )
    hostile.file.write_text(hostile.file.read_text().replace("Cidade 1002", "`<b>x</b>`|\\e[2J"))
    settings = "".join(
        f"{variable}={attacker_url}\n"
        for variable in (
            "INVOICEXPRESS_BASE_URL",
            *(f"INVOICEXPRESS_BASE_URL_{account_suffix(a.name)}" for a in accounts),
        )
    )
    (repository / ".env").write_text(settings)
    return accounts


def _secrets(accounts: list[Account]) -> list[str]:
    """The secrets in CI's environment (the hostile account's key holds its own name)."""
    return [accounts[0].api_key, accounts[1].api_key, DEFAULT_KEY, GITHUB_TOKEN, AT_PASSWORD]


def test_a_hostile_pull_request_reaches_no_other_host_and_prints_no_secret(
    tmp_path: Path, attacker: tuple[str, Seen], monkeypatch: pytest.MonkeyPatch
) -> None:
    attacker_url, seen = attacker
    accounts = _pull_request(tmp_path, attacker_url)
    repository = tmp_path / "repo"
    monkeypatch.chdir(repository)  # CI runs from the checkout, where the `.env` lies
    outputs: list[str] = []
    stdouts: list[str] = []
    with serving(accounts) as env:
        env["GITHUB_TOKEN"] = GITHUB_TOKEN
        hostile = accounts[2]
        for variable in ("INVOICEXPRESS_BASE_URL", "INVOICEXPRESS_API_KEY"):
            del env[f"{variable}_{account_suffix(hostile.name)}"]
        env["INVOICEXPRESS_BASE_URL"] = hostile.base_url
        env["INVOICEXPRESS_API_KEY"] = DEFAULT_KEY
        for args in (
            ["plan", "-f", "accounts"],
            ["plan", "-f", "accounts", "--format", "json"],
            ["plan", "-f", "accounts", "--format", "markdown"],
            ["validate", "--error-format", "github", "accounts"],
        ):
            result = run_cli(args, env)
            outputs.append(result.stdout + result.stderr)
            stdouts.append(result.stdout)
            assert result.exit_code == 1, result.output  # lisboa's references are refused
        explicit = run_cli(["plan", "-f", "accounts", "--env-file", ".env"], env)
    assert seen.requests == []
    for account in accounts[1:]:  # their lookups reached their own hosts
        assert any(r.path == "/clients/find-by-code.json" for r in account.sandbox.requests)
    assert explicit.exit_code == 1
    assert "INVOICEXPRESS_BASE_URL" in explicit.stderr
    for output in [*outputs, explicit.stdout + explicit.stderr]:
        for secret in _secrets(accounts):
            assert secret not in output
        assert "\x1b" not in output and "\x07" not in output
    plan_text, _, _, annotations = outputs
    markdown = stdouts[2]
    for field in ("account.city", "clients[0].city", "clients[1].city"):
        assert field in plan_text, plan_text
    # The only HTML is the plan's own collapsed sections; the file name is never markup.
    tokens = MarkdownIt("commonmark").parse(markdown)
    inline = [child for t in tokens if t.children for child in t.children]
    html = [t.content for t in [*tokens, *inline] if t.type in ("html_block", "html_inline")]
    assert html, markdown
    for content in html:
        assert re.fullmatch(r"(<details><summary>[^<>]*</summary>|</details>)\s*", content), content
    headings = [t for t in inline if "APPROVED" in t.content]
    assert headings and all(t.type == "code_inline" for t in headings), markdown
    commands = [line for line in annotations.splitlines() if "::" in line]
    assert commands, annotations
    assert all(re.match(r"::(error|warning|notice) [^\n]*::", line) for line in commands)
