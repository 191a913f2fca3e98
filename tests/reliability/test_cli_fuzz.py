"""Whatever the desired-state file holds, ``validate`` and ``plan`` end with exit 0, 1 or 2.

Generated documents, raw bytes and mutations of a valid file go through the commands
in-process; any other ending (a traceback, another exit code) fails. Nothing is ever written.
Longer runs: ``CLI_FUZZ_SCALE=20 pytest tests/reliability/test_cli_fuzz.py``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.cli_process import run_cli
from tests.support.fuzz import documents, dump, keys, mutated, yaml_text

# 3,000 examples in all by default; CLI_FUZZ_SCALE=20 runs twenty times as many.
SCALE = float(os.environ.get("CLI_FUZZ_SCALE", "1"))


def examples(count: int) -> settings:
    return settings(
        max_examples=max(1, int(count * SCALE)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


ENV = {
    "AT_PASSWORD": "segredo123",
    "NAME": "Ana",
    "INVOICEXPRESS_API_KEY": "fuzz-key",
    "INVOICEXPRESS_BASE_URL": "http://127.0.0.1:9",
    "NO_COLOR": "1",
    # Clients declared without an id are looked up on the live account: nothing listens here.
    "RECONCILER_MAX_ATTEMPTS": "1",
}


VALIDATE = ["validate"]
PLAN = ["plan", "--detailed-exitcode", "--show-requests"]


def check(content: bytes, commands: tuple[list[str], ...] = (VALIDATE, PLAN)) -> None:
    """Run each command on ``content``; ``plan`` alone goes through everything ``validate`` does."""
    with tempfile.TemporaryDirectory() as folder:
        desired = Path(folder) / "state.yaml"
        desired.write_bytes(content)
        for args in commands:
            result = run_cli([*args, "-f", str(desired)], ENV)
            assert result.exit_code in (0, 1, 2), result.output
            assert "Traceback" not in result.output
            if result.exit_code == 1:
                # A plain progress line ("Reading the live account…") may come first.
                message = result.stderr
                if message.startswith("Reading the live account"):
                    message = message.partition("\n")[2]
                assert message.startswith("error: "), result.stderr
            else:
                assert "error" not in result.stderr
        assert [p.name for p in Path(folder).iterdir()] == ["state.yaml"]


@examples(500)
@given(st.dictionaries(keys, documents, max_size=4) | documents)
def test_generated_documents(data: Any) -> None:
    check(dump(data).encode("utf-8"), (PLAN,))


@examples(1200)
@given(st.binary(max_size=300))
def test_raw_bytes(content: bytes) -> None:
    check(content)


@examples(700)
@given(yaml_text)
def test_yaml_like_text(text: str) -> None:
    check(text.encode("utf-8"))


@examples(600)
@given(mutated())
def test_mutated_valid_file(text: str) -> None:
    check(text.encode("utf-8", errors="surrogatepass"), (PLAN,))
