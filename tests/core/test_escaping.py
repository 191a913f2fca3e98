"""Untrusted text through every renderer: file names, account and resource names, values,
error messages and a server's words, drawn from every Unicode category and the characters each
destination gives a meaning to (backticks, pipes, ``<``, ESC, newlines, ``::``, ``%``).

- A terminal (plain and rich text, fleet headings, errors, reports, drift) gets no control
  character, ESC or separator but its own line breaks, and no line starting with ``::``.
- JSON stays valid, holds nothing a terminal acts on, and reads back as the text given.
- Markdown, parsed as CommonMark with tables: no HTML but the plan's own ``<details>``, and
  the same blocks and inline tokens as the plan rendered with harmless names, so the text only
  ever lands inside the code span or fence it was put in (a heading stays one heading).
- GitHub annotations: each is exactly one line, one workflow command, that decodes back.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.console import Console

from reconciler.cli.annotations import github_annotation, github_error
from reconciler.core.diff import FieldChange
from reconciler.core.fleet_document import FleetEntry
from reconciler.core.known import KnownState
from reconciler.core.live_fold import Drift, Refreshed
from reconciler.core.plan import Source
from reconciler.core.report import ApplyReport, Outcome, Status
from reconciler.errors import Problem, ReconcilerError, ValidationFailed
from reconciler.render.drift import render_refresh
from reconciler.render.escape import table_cell
from reconciler.render.json import render_fleet_json, render_json
from reconciler.render.links import SourceLinks
from reconciler.render.markdown import render_fleet_markdown, render_markdown
from reconciler.render.messages import error_message
from reconciler.render.plain import plain_plan
from reconciler.render.text import account_heading, render_plan, render_report
from tests.support.plans import hostile_plan

from .test_properties import EXAMPLES

PIECES = ("`", "```", "|", "<", ">", "&", "<h1>", "<img src=x>", "\x1b", "\x1b[31m", "\x1b]0;t\x07")
PIECES += ("\n", "\r", "\r\n", "::", "::set-output name=a::", "%", "%0A", ",", ":", "[bold]")
PIECES += ("\x9b", "\x85", "\u2028", "\u2029", "\u202e", "\ud800", "\\", "#", "*", "]", "(", " ")
# Every code point, surrogates included (an undecodable byte of a file name is one).
ANY_CHARACTER = st.characters(exclude_categories=())
hostile = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(ANY_CHARACTER, min_size=1, max_size=4)),
    min_size=1,
    max_size=8,
).map("".join)
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
SGR = re.compile(r"\x1b\[[0-9;]*m")
OWN_HTML = re.compile(r"<details><summary>[a-z ]+ \(\d+\)</summary>\n|</details>\n")
ROOT = Path.cwd()
LINKS = SourceLinks("https://github.com/acme/books/blob/" + "a" * 40, ROOT)


def _unsafe_for_a_terminal(text: str) -> list[str]:
    """Every character a terminal would act on, but the line break."""
    return [
        char
        for char in text
        if char != "\n" and (unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in BIDI)
    ]


def _assert_terminal_safe(text: str) -> None:
    assert _unsafe_for_a_terminal(text) == [], repr(text)
    for line in text.split("\n"):
        assert not line.lstrip().startswith("::"), repr(line)


def _structure(markdown: str) -> list[tuple[str, str, int, str]]:
    """The blocks and inline tokens of ``markdown`` (their kinds, not their text)."""
    shape = []
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        shape.append((token.type, token.tag, token.level, token.info))
        shape.extend((t.type, t.tag, t.level, t.info) for t in token.children or [])
    return shape


def _tokens(markdown: str) -> list[Token]:
    flat = []
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        flat.append(token)
        flat.extend(token.children or [])
    return flat


def _assert_markdown_safe(markdown: str, harmless: str) -> None:
    """No raw control character, no HTML but the plan's own, and the same structure as the
    same document with harmless text."""
    assert _unsafe_for_a_terminal(markdown) == [], repr(markdown)
    tokens = _tokens(markdown)
    assert [t.content for t in tokens if t.type == "html_inline"] == []
    for token in tokens:
        if token.type == "html_block":
            assert OWN_HTML.fullmatch(token.content), token.content
    assert _structure(markdown) == _structure(harmless)


@settings(max_examples=EXAMPLES * 8, deadline=None)
@given(file=hostile, value=hostile, resource=hostile)
def test_text_plans_never_write_a_control_character(file: str, value: str, resource: str) -> None:
    plan = hostile_plan(file, value, resource)
    for show_requests in (False, True):
        plain = plain_plan(plan, show_requests=show_requests)
        _assert_terminal_safe(plain)
        text = render_plan(plan, show_requests=show_requests)
        _assert_terminal_safe(text.plain)
        out = io.StringIO()
        console = Console(file=out, force_terminal=True, color_system="truecolor", width=80)
        console.print(text, soft_wrap=True)
        # Every escape sequence left is one of rich's own colours.
        _assert_terminal_safe(SGR.sub("", out.getvalue()))
        assert SGR.sub("", out.getvalue()) == plain


@settings(max_examples=EXAMPLES * 8, deadline=None)
@given(file=hostile, value=hostile, resource=hostile)
def test_the_json_plan_stays_valid_and_reads_back(file: str, value: str, resource: str) -> None:
    plan = hostile_plan(file, value, resource)
    text = render_json(plan)
    assert _unsafe_for_a_terminal(text) == [], repr(text)
    document = json.loads(text)
    assert {call["source"]["file"] for call in document["calls"]} == {file}
    assert all(call["body"] == {value: value} for call in document["calls"])
    entries = [FleetEntry(file, file, plan), FleetEntry(value, file, None, resource)]
    fleet = render_fleet_json(entries)
    assert _unsafe_for_a_terminal(fleet) == []
    accounts = json.loads(fleet)["accounts"]
    assert [a["account"] for a in accounts] == [file, value]
    assert accounts[1]["error"] == resource


@settings(max_examples=EXAMPLES * 8, deadline=None)
@given(file=hostile, value=hostile, resource=hostile)
def test_markdown_keeps_untrusted_text_inside_its_code(
    file: str, value: str, resource: str
) -> None:
    plan = hostile_plan(file, value, resource)
    harmless = hostile_plan("accounts/a.yaml", "x", "client:1")
    for links in (None, LINKS):
        markdown = render_markdown(plan, links=links)
        # A file outside the checkout gets no link: compare with a harmless one alike.
        linked = links is not None and links.url(Source(file, 3, 5)) is not None
        expected = render_markdown(harmless, links=LINKS if linked else None)
        _assert_markdown_safe(markdown, expected)


@settings(max_examples=EXAMPLES * 8, deadline=None)
@given(name=hostile, file=hostile, error=hostile)
def test_fleet_markdown_keeps_each_account_one_heading(name: str, file: str, error: str) -> None:
    plan = hostile_plan(file, error, name)
    harmless_plan = hostile_plan("accounts/a.yaml", "x", "client:1")
    markdown = render_fleet_markdown(
        [FleetEntry(name, file, plan), FleetEntry(name, file, None, error)]
    )
    harmless = render_fleet_markdown(
        [FleetEntry("a", "a.yaml", harmless_plan), FleetEntry("b", "b.yaml", None, "failed")]
    )
    _assert_markdown_safe(markdown, harmless)
    tokens = _tokens(markdown)
    headings = [tokens[i + 1] for i, t in enumerate(tokens) if t.type == "heading_open"]
    accounts = [h for h in headings if h.content.startswith("Account ")]
    assert len(accounts) == 2
    for heading in accounts:
        code = [t for t in heading.children or [] if t.type == "code_inline"]
        expected = re.sub(r"^(\s*):", r"\1\\x3a", _shown(name))
        assert len(code) == 1 and code[0].content == expected


def _shown(text: str) -> str:
    """What a terminal shows of ``text``: its characters, escapes for the unsafe ones."""
    out = []
    for char in text:
        if _unsafe_for_a_terminal(char) or char == "\n":
            code = ord(char)
            named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
            out.append(named.get(char) or (f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"))
        else:
            out.append(char)
    return "".join(out)


@settings(max_examples=EXAMPLES * 8, deadline=None)
@given(name=hostile, file=hostile, message=hostile, detail=hostile)
def test_headings_errors_reports_and_drift_are_terminal_safe(
    name: str, file: str, message: str, detail: str
) -> None:
    heading = account_heading(name, file)
    _assert_terminal_safe(heading)
    assert heading.count("\n") == 0
    failed = ValidationFailed([Problem(file, 1, 2, message, detail)])
    for error in (failed, ReconcilerError(message)):
        _assert_terminal_safe("error: " + error_message(error, lambda text: text))
    plan = hostile_plan(file, detail, name)
    outcomes = (
        Outcome(plan.calls[0], Status.FAILED, detail),
        Outcome(plan.calls[1], Status.SKIPPED, message),
        Outcome(plan.calls[2], Status.NOT_ATTEMPTED, detail),
    )
    _assert_terminal_safe(render_report(ApplyReport(outcomes, KnownState.new())).plain)
    drift = Drift(name, (FieldChange(message, detail, {message: detail}),))
    refreshed = Refreshed(KnownState.new(), (drift,), (), (message,), 1, (detail,))
    _assert_terminal_safe(render_refresh(refreshed).plain)


def _decoded(value: str, *, prop: bool) -> str:
    """A workflow command's value as GitHub's runner reads it."""
    codes = {"%25": "%", "%0D": "\r", "%0A": "\n"}
    if prop:
        codes.update({"%3A": ":", "%2C": ","})
    return re.sub("%25|%0D|%0A|%3A|%2C", lambda m: codes.get(m.group(), m.group()), value)


ANNOTATION = re.compile(r"::error file=([^,:]*),line=(\d+),col=(\d+),title=([^,:]*)::(.*)")


@settings(max_examples=EXAMPLES * 8, deadline=None)
@given(file=hostile, path=hostile, message=hostile)
def test_each_annotation_is_exactly_one_workflow_command(
    file: str, path: str, message: str
) -> None:
    line = github_annotation(Problem(file, 4, 2, path, message))
    assert "\n" not in line and "\r" not in line
    assert _unsafe_for_a_terminal(line) == []
    match = ANNOTATION.fullmatch(line)
    assert match is not None, line
    safe = _terminal_but_lines  # what is left of the text once control characters are shown
    assert _decoded(match.group(1), prop=True) == safe(file)
    assert _decoded(match.group(4), prop=True) == safe(f"reconciler: {path}")
    assert _decoded(match.group(5), prop=False) == safe(message)
    other = github_error(message, title=file)
    assert "\n" not in other and "\r" not in other and _unsafe_for_a_terminal(other) == []
    found = re.fullmatch(r"::error title=([^,:]*)::(.*)", other)
    assert found is not None and _decoded(found.group(1), prop=True) == safe(file)


def _terminal_but_lines(text: str) -> str:
    """``text`` with every character a terminal acts on shown as an escape, but CR and LF."""
    return "".join(char if char in "\r\n" else _shown(char) for char in text)


@settings(max_examples=EXAMPLES * 8, deadline=None)
@given(first=hostile, second=hostile)
def test_a_table_cell_stays_one_cell(first: str, second: str) -> None:
    def table(one: str, two: str) -> str:
        return f"| account | file |\n|---|---|\n| {one} | {two} |\n"

    markdown = table(table_cell(first), table_cell(second))
    _assert_markdown_safe(markdown, table(table_cell("a"), table_cell("b")))
    cells = [t for t in _tokens(markdown) if t.type == "inline"][2:]
    assert [[c.type for c in cell.children or []] for cell in cells] == [["code_inline"]] * 2
    for cell, text in zip(cells, (first, second), strict=True):
        assert (cell.children or [])[0].content == re.sub(r"^(\s*):", r"\1\\x3a", _shown(text))
