"""A damaged sandbox data file: a clear message naming it and exit 1, from both commands that
read it, never a traceback; the file is left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.storage.paths import sandbox_data_path
from tests.support.cli_process import run_cli

DAMAGED = {
    "not json": b"{ this is not json",
    "not utf-8": b"\xff\xfe\x00garbage",
    "wrong shape": b'{"accounts": 5}',
    "a list": b"[1, 2, 3]",
}


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
def test_plan_sandbox_with_a_damaged_data_file_exits_1(tmp_path: Path, content: bytes) -> None:
    desired = tmp_path / "state.yaml"
    desired.write_text("clients:\n  - code: C-1\n    name: Um\n")
    data = sandbox_data_path(desired)
    data.parent.mkdir(parents=True)
    data.write_bytes(content)

    result = run_cli(["plan", "--sandbox", "-f", str(desired)], {"NO_COLOR": "1"})

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert str(data) in result.output
    assert data.read_bytes() == content


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
def test_sandbox_command_with_a_damaged_data_file_exits_1(tmp_path: Path, content: bytes) -> None:
    data = tmp_path / "data.json"
    data.write_bytes(content)

    result = run_cli(["sandbox", "--port", "0", "--data", str(data)], {"NO_COLOR": "1"})

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"error: cannot load sandbox data from {data}" in result.output
    assert data.read_bytes() == content
