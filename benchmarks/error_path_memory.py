"""Memory and time of reporting one error at the end of a large desired-state file.

Two kinds of error, two routes. A value the models refuse (``--error value``, the default: an
email that is not one) is found in data the fast path loaded, and placed by the careful parser
run on its list item alone. A duplicate key (``--error duplicate``) makes the fast path
decline the file: the careful path (ruamel.yaml events, every position) then loads all of it,
which costs far more memory per byte. ``MAX_FILE_BYTES`` (``reconciler/desired/loader/
limits.py``) keeps the worse of the two under a known bound.

Each ``reconciler validate`` runs under a tiny parent (``python -c``) that only starts it and
reports ``RUSAGE_CHILDREN``: a child's ``ru_maxrss`` starts from its parent's high-water mark,
so measuring from this process would count this process's own memory too.

    python -m benchmarks.error_path_memory                          # 4, 8, 16, 32 MiB
    python -m benchmarks.error_path_memory --error duplicate 1 2 64 # sizes in MiB
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.generate import desired_yaml

DEFAULT_SIZES = (4, 8, 16, 32)
# The errors: a last client whose email is not one, or who has two names; validate must place
# it at file:line:col.
ERRORS = {
    "value": (
        '  - id: 999999999\n    code: "LAST"\n    name: Last\n    email: not-an-email\n',
        "not-an-email",
    ),
    "duplicate": (
        '  - id: 999999999\n    code: "LAST"\n    name: Last\n    name: Again\n',
        "duplicate key 'name'",
    ),
}
MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - started
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": done.returncode, "seconds": seconds, "peak_kib": peak_kib,
                  "stderr": done.stderr[-300:]}))
"""
CLIENT_BYTES = 400  # about what one generated client takes


def write_file(folder: Path, mebibytes: float, error: str = "value") -> Path:
    """A desired-state file of about ``mebibytes`` MiB whose only problem is on its last line."""
    clients = max(1, int(mebibytes * 1024 * 1024 / CLIENT_BYTES))
    text = desired_yaml(clients)
    ratio = mebibytes * 1024 * 1024 / len(text.encode("utf-8"))
    if not 0.98 < ratio < 1.02:  # scale to the size asked for
        text = desired_yaml(max(1, int(clients * ratio)))
    path = folder / f"error-{mebibytes:g}mib.yaml"
    path.write_text(text + ERRORS[error][0], encoding="utf-8")
    return path


def measure(path: Path, error: str = "value") -> dict[str, float]:
    """Exit code, seconds and peak memory (MiB) of ``reconciler validate -f path``."""
    command = [sys.executable, "-m", "reconciler", "validate", "-f", str(path)]
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout)
    if result["code"] != 1 or ERRORS[error][1] not in result["stderr"]:
        raise SystemExit(f"{path}: expected one problem, exit 1; got {result}")
    return {"seconds": result["seconds"], "peak_mib": result["peak_kib"] / 1024}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.error_path_memory")
    parser.add_argument("--error", choices=sorted(ERRORS), default="value")
    parser.add_argument("sizes", type=float, nargs="*", help="file sizes in MiB")
    arguments = parser.parse_args(argv)
    sizes, error = arguments.sizes or list(DEFAULT_SIZES), arguments.error
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        baseline = measure(write_file(Path(folder), 0.001, error), error)["peak_mib"]
        for size in sizes:
            path = write_file(Path(folder), size, error)
            mib = path.stat().st_size / (1024 * 1024)
            result = measure(path, error)
            path.unlink()
            per = (result["peak_mib"] - baseline) / mib
            rows.append((mib, result["seconds"], result["peak_mib"], per))
    print(
        f"One error ({error}) at the end; `reconciler validate` peak RSS "
        f"(baseline {baseline:.0f} MiB)."
    )
    print()
    print("| file MiB | seconds | peak MiB | MiB per MiB above baseline |")
    print("|---:|---:|---:|---:|")
    for mib, seconds, peak, per in rows:
        print(f"| {mib:.1f} | {seconds:.1f} | {peak:.0f} | {per:.1f} |")
    worst = max(per for *_, per in rows)
    budget = 2048 - baseline
    print()
    print(f"Worst: {worst:.1f} MiB per MiB; a 2 GiB budget allows {budget / worst:.0f} MiB.")


if __name__ == "__main__":
    main(sys.argv[1:])
