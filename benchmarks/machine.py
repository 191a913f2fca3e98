"""What the benchmarks ran on: CPU model, cores, memory, Python, date."""

from __future__ import annotations

import compileall
import os
import platform
from datetime import UTC, datetime
from pathlib import Path


def _first(path: str, prefix: str) -> str | None:
    try:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def describe() -> str:
    """One line, e.g. ``Intel(R) Xeon(R), 2 cores, 23.4 GiB RAM, CPython 3.11.7, Linux, ...``."""
    cpu = _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU"
    memory = _first("/proc/meminfo", "MemTotal")
    ram = f"{int(memory.split()[0]) / 2**20:.1f} GiB RAM" if memory else "RAM unknown"
    python = f"{platform.python_implementation()} {platform.python_version()}"
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{cpu}, {os.cpu_count()} cores, {ram}, {python}, {platform.system()}, {date}"


def compile_package() -> None:
    """Write the bytecode of every reconciler module, as installing the wheel does.

    An editable install run with ``PYTHONDONTWRITEBYTECODE`` set would otherwise compile every
    module from source in every command timed (about 0.2 s each, not the tool's own cost).
    """
    import reconciler

    compileall.compile_dir(Path(reconciler.__file__).parent, quiet=1)
