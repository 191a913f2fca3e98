"""Running the sandbox: in a thread, and as ``python -m reconciler.sandbox``."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import aiohttp
import pytest

from reconciler.sandbox import Sandbox

LINE = re.compile(
    r"InvoiceXpress sandbox listening on (http://127\.0\.0\.1:(\d+)) \(api_key=(.+)\)"
)


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_running_in_thread_serves_sync_callers() -> None:
    sandbox = Sandbox()
    with sandbox.running_in_thread() as base:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
        status, body = _get(f"{base}/sequences.json?api_key=sandbox")
        assert status == 200
        assert len(json.loads(body)["sequences"]) == 3
        sandbox.edit(lambda data: data["account"].update(city="Braga"))
        status, body = _get(f"{base}/api/accounts/12345/get.json?api_key=sandbox")
        assert json.loads(body)["account"]["city"] == "Braga"
        assert [r.path for r in sandbox.requests] == [
            "/sequences.json",
            "/api/accounts/12345/get.json",
        ]
    with pytest.raises(OSError):
        _get(f"{base}/sequences.json?api_key=sandbox")


def test_running_in_thread_can_run_again() -> None:
    sandbox = Sandbox()
    for _ in range(2):
        with sandbox.running_in_thread() as base:
            assert _get(f"{base}/clients.json?api_key=sandbox")[0] == 200


def test_running_in_thread_reports_a_failure_to_start() -> None:
    sandbox = Sandbox()
    with sandbox.running_in_thread() as base:
        port = int(base.rsplit(":", 1)[1])
        with pytest.raises(OSError), Sandbox().running_in_thread(port=port):
            pass


async def test_running_twice_on_one_loop() -> None:
    sandbox = Sandbox()
    for _ in range(2):
        async with (
            sandbox.running() as base,
            aiohttp.ClientSession() as session,
            session.get(f"{base}/clients.json?api_key=sandbox") as answer,
        ):
            assert answer.status == 200


def test_module_runs_until_interrupted(tmp_path: Path) -> None:
    data = tmp_path / "data.json"
    command = [
        sys.executable,
        "-m",
        "reconciler.sandbox",
        "--port",
        "0",
        "--api-key",
        "k3y",
        "--data",
        str(data),
        "--rate-limit",
        "100/min",
        "--faults",
        "latency=0.01,seed=1",
        "--quirks",
        "max_per_page=2,text_numbers",
        # Longer than the test: the write reaches the file by the flush at shutdown.
        "--flush-interval",
        "3600",
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            match = LINE.fullmatch(line.strip())
            assert match, line
            base, port, key = match.groups()
            assert int(port) > 0 and key == "k3y"
            assert _get(f"{base}/clients.json?api_key=wrong") == (401, b"")
            status, listed = _get(f"{base}/clients.json?api_key=k3y&per_page=100")
            assert status == 200
            assert json.loads(listed)["pagination"] == {
                "current_page": "1",
                "total_pages": "2",
                "total_entries": "3",
                "per_page": "2",
            }
            body = json.dumps({"account": {"city": "Coimbra"}}).encode()
            request = urllib.request.Request(
                f"{base}/api/accounts/12345/update.json?api_key=k3y",
                data=body,
                method="PUT",
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
        finally:
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    assert json.loads(data.read_text("utf-8"))["account"]["city"] == "Coimbra"


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--faults", "error=2"], "between 0 and 1"),
        (["--rate-limit", "lots"], "N/min"),
        (["--quirks", "strings"], "unknown quirk"),
        (["--flush-interval", "-1"], "number of seconds"),
    ],
)
def test_module_refuses_bad_options(arguments: list[str], complaint: str) -> None:
    command = [sys.executable, "-m", "reconciler.sandbox", "--port", "0", *arguments]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert complaint in result.stderr


def test_module_refuses_a_bad_data_file(tmp_path: Path) -> None:
    data = tmp_path / "data.json"
    data.write_text("{broken", "utf-8")
    command = [sys.executable, "-m", "reconciler.sandbox", "--port", "0", "--data", str(data)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "cannot load sandbox data" in result.stderr
