"""Bad input through the command line: a clear message, exit 1, nothing written, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.desired.loader import MAX_FILE_BYTES
from tests.support.cli_process import environment, run_cli

VALID_ACCOUNT = "account:\n  id: 12345\n"
BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]\n" for n in range(8)
)
CONTENTS: dict[str, str | bytes] = {
    "empty": b"",
    "blank": b"  \n\n",
    "binary garbage": bytes(range(256)) * 4,
    "invalid utf-8": b"account:\n  id: 12345\n  city: Lisb\xf6a\n",
    "utf-16": "account:\n  id: 12345\n".encode("utf-16"),
    "top level list": "- account\n",
    "top level text": "hello\n",
    "account list": "account: [1, 2]\n",
    "account id text": "account:\n  id: abc\n",
    "account id float": "account:\n  id: 1.5\n",
    "account id bool": "account:\n  id: true\n",
    "credentials number": VALID_ACCOUNT + "  credentials: 5\n",
    "password list": VALID_ACCOUNT + "  credentials:\n    username: 999999990/1\n"
    "    password: [a]\n",
    "sequences text": "sequences: x\n",
    "register mapping": "sequences:\n  register: {a: 1}\n",
    "register of lists": "sequences:\n  register: [[1]]\n",
    "clients mapping": "clients: {a: 1}\n",
    "client text": "clients: [x]\n",
    "client without name": "clients:\n  - id: 1\n    code: A\n",
    "preferred contact list": "clients:\n  - id: 1\n    code: A\n    name: B\n"
    "    preferred_contact: [1]\n",
    "unknown field": "acount:\n  id: 1\n",
    "huge string": "account:\n  id: 1\n  city: " + "x" * 300_000 + "\n",
    "deep nesting": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "deep mappings": "".join(f"{'  ' * n}k{n}:\n" for n in range(200)),
    "alias bomb": BILLION_LAUGHS,
    "recursive alias": "a: &a [*a]\n",
    "unclosed quote": 'account:\n  city: "Lisboa\n',
    "tabs": "account:\n\tid: 1\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "missing variable": "account:\n  id: 1\n  city: ${RECONCILER_VAR_NOT_SET_ANYWHERE}\n",
    "variable not allowed": "account:\n  id: 1\n  city: ${HOME}\n",
    "nul byte": "account:\n  id: 1\n  city: a\x00b\n",
}
COMMANDS = {
    "validate": ["validate"],
    "plan": ["plan", "--detailed-exitcode"],
    "plan --show-requests": ["plan", "--show-requests"],
    "apply": ["apply", "--auto-approve"],
}
ENV = environment("http://127.0.0.1:9")  # never reached: nothing gets that far


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", CONTENTS)
def test_bad_desired_state(tmp_path: Path, case: str, command: str) -> None:
    desired = tmp_path / "state.yaml"
    content = CONTENTS[case]
    desired.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = _tree(tmp_path)
    result = run_cli([*COMMANDS[command], "-f", str(desired)], ENV)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: "), result.stderr
    assert f"{desired}:" in result.stderr  # file:line:col
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "cannot read"),
        ("too large", f"larger than {MAX_FILE_BYTES // 2**20} mib"),
    ],
)
def test_unreadable_desired_state(tmp_path: Path, command: str, setup: str, message: str) -> None:
    desired = tmp_path / "state.yaml"
    if setup == "directory":
        desired.mkdir()
    elif setup == "too large":
        with desired.open("wb") as sparse:  # refused by its size, before it is read
            sparse.truncate(MAX_FILE_BYTES + 1)
    before = _tree(tmp_path)
    result = run_cli([*COMMANDS[command], "-f", str(desired)], ENV)
    assert result.exit_code == 1, result.output
    assert message in result.stderr.lower(), result.stderr
    assert "Traceback" not in result.output
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("command", COMMANDS)
def test_a_directory_given_as_the_file_is_a_usage_error(tmp_path: Path, command: str) -> None:
    # Caught by click's option check: a usage error, exit 1 (2 is kept for "changes pending").
    desired = tmp_path / "state.yaml"
    desired.mkdir()
    result = run_cli([*COMMANDS[command], "-f", str(desired)], ENV)
    assert result.exit_code == 1
    assert "is a directory" in result.stderr
    assert "Traceback" not in result.output
    assert _tree(tmp_path) == {}


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("RECONCILER_CONCURRENCY", "many"),
        ("RECONCILER_CONCURRENCY", "0"),
        ("RECONCILER_RATE_LIMIT", "-1"),
        ("RECONCILER_READ_TIMEOUT", "0"),
        ("RECONCILER_RETRY_BACKOFF", "nan-ish"),
        ("INVOICEXPRESS_BASE_URL", "http://api.example.com"),
        ("INVOICEXPRESS_BASE_URL", "not a url"),
    ],
)
def test_bad_settings_are_refused_before_anything_happens(
    tmp_path: Path, variable: str, value: str
) -> None:
    desired = tmp_path / "state.yaml"
    desired.write_text("account:\n  id: 12345\n  city: Lisboa\n")
    before = _tree(tmp_path)
    result = run_cli(["apply", "--auto-approve", "-f", str(desired)], {**ENV, variable: value})
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.output
    assert _tree(tmp_path) == before
