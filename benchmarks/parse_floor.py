"""The raw parse floor: the fastest YAML parser installed, on the same file, building nothing.

rapidyaml (a dependency) parses into its C++ tree; yaml-rs (the ``bench`` extra) builds Python
objects in Rust. Neither keeps what the loader must (text as written, positions), which is why
this is a floor and not an alternative.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _parsers() -> dict[str, Callable[[bytes], Any]]:
    found: dict[str, Callable[[bytes], Any]] = {}
    try:
        import ryml

        found["rapidyaml"] = ryml.parse_in_arena
    except ImportError:
        pass
    try:
        import yaml_rs

        found["yaml-rs"] = lambda data: yaml_rs.loads(data.decode("utf-8"))
    except ImportError:
        pass
    return found


def parse_floor(path: Path, runs: int) -> tuple[str, float]:
    """The fastest parser's name and its median parse time of ``path``, in seconds."""
    data = path.read_bytes()
    best: tuple[str, float] = ("none", float("nan"))
    for name, parse in _parsers().items():
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            parse(data)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        if not median >= best[1]:
            best = (name, median)
    return best
