"""A fleet file's name is written by whoever opens the pull request: it must not write markup
into the plan's comment, escape sequences into a terminal, or workflow commands into CI's log.

Each test runs the real CLI against sandboxes on loopback, one per account.
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from tests.support.cli_process import run_cli
from tests.support.fleet_accounts import make_accounts, serving

HTML_NAME = "a` <h1>APPROVED <img src=x>"
# A window title (OSC), a colour (CSI), the same through the one-byte C1 CSI, and a bell.
ESC_NAME = "b\x1b]0;pwned\x07\x1b[31mred\x9b32mgreen"
# Our own HTML: each kind of call folded into a <details> section, and its end.
OWN_HTML = re.compile(r"<details><summary>[a-z ]+ \(\d+\)</summary>\n|</details>\n")


def _tokens(markdown: str) -> list[Token]:
    """Every token GitHub-flavoured CommonMark makes of ``markdown``, inline ones included."""
    flat: list[Token] = []
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        flat.append(token)
        flat.extend(token.children or [])
    return flat


def _account_headings(tokens: list[Token]) -> list[list[Token]]:
    """The inline children of each level-2 heading but the fleet's own."""
    headings = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            inline = tokens[index + 1]
            if inline.content != "reconciler fleet plan":
                headings.append(inline.children or [])
    return headings


def test_a_file_name_cannot_break_out_of_its_markdown_heading(tmp_path: Path) -> None:
    accounts = make_accounts(tmp_path, (HTML_NAME, "lisboa"))
    with serving(accounts) as env:
        result = run_cli(["plan", "-f", str(tmp_path / "accounts"), "--format", "markdown"], env)
    assert result.exit_code == 0, result.output
    tokens = _tokens(result.stdout)
    assert [t.content for t in tokens if t.type == "html_inline"] == []
    for token in tokens:
        if token.type == "html_block":
            assert OWN_HTML.fullmatch(token.content), token.content
    headings = _account_headings(tokens)
    assert len(headings) == 2  # each account is one heading, and nothing else became one
    hostile = headings[0]
    assert [t.type for t in hostile] == ["text", "code_inline"]
    assert hostile[1].content == HTML_NAME
    # Where the calls were declared: the whole path in one code span.
    spans = [t.content for t in tokens if t.type == "code_inline" and ".yaml:" in t.content]
    assert any(f"accounts/{HTML_NAME}.yaml:" in span for span in spans), spans


def test_escape_sequences_in_a_file_name_never_reach_the_output(tmp_path: Path) -> None:
    accounts = make_accounts(tmp_path, (ESC_NAME, "lisboa"))
    folder = str(tmp_path / "accounts")
    with serving(accounts) as env:
        text = run_cli(["plan", "-f", folder], env)
        markdown = run_cli(["plan", "-f", folder, "--format", "markdown"], env)
        coloured = run_cli(["plan", "-f", folder], {**env, "NO_COLOR": "", "FORCE_COLOR": "1"})
    for result in (text, markdown, coloured):
        assert result.exit_code == 0, result.output
        assert "\x9b" not in result.output and "\x07" not in result.output
        assert "\x1b]" not in result.output  # no window title
        assert "\\x1b]0;pwned\\x07\\x1b[31mred\\x9b32mgreen" in result.stdout
    for result in (text, markdown):
        assert "\x1b" not in result.output
    assert "== b\\x1b]0;pwned" in text.stdout
    # With colour, every escape sequence left is one of rich's own colours.
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured.stdout).count("\x1b") == 0
    assert "\x1b[31mred" not in coloured.stdout


def test_rich_markup_in_a_file_name_is_shown_as_written(tmp_path: Path) -> None:
    name = "[bold red]loud[link=https:example.com]x"
    accounts = make_accounts(tmp_path, (name,))
    with serving(accounts) as env:
        for extra in ({}, {"NO_COLOR": "", "FORCE_COLOR": "1"}):
            result = run_cli(["plan", "-f", str(tmp_path / "accounts")], {**env, **extra})
            assert result.exit_code == 0, result.output
            plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
            assert f"== {name} (" in plain
            assert "\x1b]8;" not in result.stdout  # no hyperlink


def test_a_file_name_cannot_start_a_workflow_command(tmp_path: Path) -> None:
    name = "x\n::add-mask::y %0A\r::set-output name=a::b"
    accounts = make_accounts(tmp_path, (name, "lisboa"))
    for account in accounts:
        text = account.file.read_text()
        account.file.write_text(text.replace("postal_code: 1500-555", "postal_code: 15"))
    folder = str(tmp_path / "accounts")
    with serving(accounts) as env:
        results = [
            run_cli(["validate", "-f", folder, "--error-format", "github"], env),
            run_cli(["plan", "-f", folder, "--error-format", "github"], env),
        ]
    for result in results:
        assert result.exit_code == 1, result.output
        commands = 0
        for line in result.output.split("\n"):
            if line.lstrip().startswith("::"):
                assert re.fullmatch(r"::error [^\r\n]*", line), line
                commands += 1
        assert commands >= 2, result.output  # an annotation per account at least
