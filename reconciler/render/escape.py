"""Untrusted text (file names, names, values, reasons, a server's words, error messages) made
safe for where it is shown, one function per destination; every renderer uses these.

- A terminal or CI log (``terminal``, ``terminal_lines``): control characters (C0, DEL, C1),
  the line and paragraph separators, the bidirectional controls and lone surrogates (an
  undecodable byte of a file name) are shown as escapes (``\\x1b``, ``\\n``, ``\\u2028``),
  so no text moves the cursor, changes colours, sets the window title or writes a hyperlink;
  a line the text begins never starts with ``:`` (shown ``\\x3a``), so no line of output
  starts with ``::``, which GitHub's runner would read as a workflow command.
- Markdown (``code_span``, ``fenced``, ``table_cell``): the text is only ever code, inside the
  block it was put in: a code span or fence longer than any backtick run in it, so ``<``,
  ``>`` and ``&`` never become HTML, nor ``@name`` a mention or ``*`` emphasis.
- JSON (``json_text``): what ``json.dumps`` leaves raw that a terminal acts on (DEL, C1, the
  separators, the bidirectional controls, lone surrogates) written as ``\\u`` escapes: the
  same document.
- GitHub workflow commands (``workflow_data``, ``workflow_property``): ``%``, CR and LF (and
  in a property ``:`` and ``,``) percent-encoded, as the runner decodes them, so the text
  cannot end its command or start another.
"""

from __future__ import annotations

import re

_SHOWN = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Beyond C0: DEL and C1, the Arabic letter mark, the bidirectional marks, the line and paragraph
# separators, the bidirectional embeddings, overrides and isolates, and lone surrogates.
_BEYOND_C0 = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE = re.compile(f"[\x00-\x1f{_BEYOND_C0}]")
_UNSAFE_BUT_LINES = re.compile(f"[\x00-\x09\x0b-\x1f{_BEYOND_C0}]")
# What json.dumps(..., ensure_ascii=False) leaves raw (it escapes C0 only) that a terminal
# would act on, or that can't be written as UTF-8; in JSON text these are only inside strings.
_JSON_RAW = re.compile(f"[{_BEYOND_C0}]")
# What GitHub's runner skips before looking for ``::``: any whitespace. A piece that starts a
# line with one colon could be followed by the colon of fixed text: its own is escaped.
_COMMAND = re.compile(r"(?m)^(\s*):")


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    if char in _SHOWN:
        return _SHOWN[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """``text`` as one line of terminal output: every control character shown as an escape."""
    if _UNSAFE.search(text) is not None:
        text = _UNSAFE.sub(_escaped, text)
    if text and (text[0] == ":" or text[0].isspace()):  # one line now: only its start counts
        return _COMMAND.sub(r"\1\\x3a", text, count=1)
    return text


def terminal_lines(text: str) -> str:
    """``text`` as lines of terminal output: its line breaks kept, everything else as
    ``terminal`` shows it."""
    if _UNSAFE_BUT_LINES.search(text) is not None:
        text = _UNSAFE_BUT_LINES.sub(_escaped, text)
    return _COMMAND.sub(r"\1\\x3a", text) if ":" in text else text


def json_text(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with every character a terminal
    would act on written as a ``\\u`` escape: the same JSON value, safe to print."""
    if text.isascii() and "\x7f" not in text:
        return text  # of those characters only DEL is ASCII: the usual text, told in C
    if _JSON_RAW.search(text) is None:
        return text
    return _JSON_RAW.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _longest_backticks(text: str) -> int:
    return max((len(run) for run in re.findall("`+", text)), default=0)


def code_span(text: str) -> str:
    """``text`` as one Markdown code span, shown as ``terminal`` shows it, whatever backticks
    it holds."""
    shown = terminal(text)
    fence = "`" * (_longest_backticks(shown) + 1)
    # A span's content loses one space at each end when it has one at both: pad what would.
    if shown.strip(" ") and (shown[:1] in ("`", " ") or shown[-1:] in ("`", " ")):
        return f"{fence} {shown} {fence}"
    return f"{fence}{shown}{fence}"


def _fence_for(text: str) -> str:
    """A code fence longer than any run of backticks in ``text``."""
    return "`" * max(3, _longest_backticks(text) + 1)


def fenced(text: str, info: str = "") -> str:
    """``text`` as a fenced Markdown code block (its lines kept, as ``terminal_lines`` shows
    them), ending in a newline."""
    shown = terminal_lines(text)
    fence = _fence_for(shown)
    return f"{fence}{info}\n{shown}\n{fence}\n"


def table_cell(text: str) -> str:
    """``text`` as a cell of a Markdown table: a code span whose pipes are escaped (GitHub
    reads ``\\|`` as a pipe inside a cell's code span, and any other as the cell's end)."""
    return code_span(text).replace("|", "\\|")


def workflow_data(text: str) -> str:
    """``text`` as the message of a workflow command (after its second ``::``)."""
    data = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return _UNSAFE.sub(_escaped, data) if _UNSAFE.search(data) is not None else data


def workflow_property(text: str) -> str:
    """``text`` as the value of a workflow command's property (``file=``, ``title=``)."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")
