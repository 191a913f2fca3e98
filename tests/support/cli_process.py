"""The CLI run against a server, in-process or as a child process, with the variables it needs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from click.testing import CliRunner, Result

from reconciler.cli import main

API_KEY = "reliability-test-key"
AT_PASSWORD = "at-pass-123"


def environment(base_url: str, **extra: str) -> dict[str, str]:
    """The variables a run against the sandbox at ``base_url`` needs."""
    return {
        "INVOICEXPRESS_BASE_URL": base_url,
        "INVOICEXPRESS_API_KEY": API_KEY,
        "AT_PASSWORD": AT_PASSWORD,
        "RECONCILER_RATE_LIMIT": "0",
        "NO_COLOR": "1",
        **extra,
    }


def run_cli(args: list[str], env: Mapping[str, str]) -> Result:
    """The CLI in-process; any exception other than an exit propagates (a traceback fails)."""
    return CliRunner().invoke(main, args, env=dict(env), catch_exceptions=False)


def spawn(args: list[str], env: Mapping[str, str], folder: Path) -> subprocess.Popen[bytes]:
    """``python -m reconciler ARGS`` as a child process, its output in files under ``folder``."""
    out = (folder / "child.out").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "reconciler", *args],
        env={**os.environ, **env},
        stdout=out,
        stderr=subprocess.STDOUT,
        cwd=folder,
    )
