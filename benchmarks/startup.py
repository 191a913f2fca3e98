"""What a small command costs to start: CPU seconds of whole runs, and what each run imports.

``python -m benchmarks.startup [--runs 10] [--before REF] [--write]``

Each command runs as a fresh process (``python -m reconciler ...``) on a one-client desired
state with its known state (``benchmarks.generate``), ``RECONCILER_DIGEST_KEY`` set, output to
a pipe; its CPU time (user + system) is read from ``getrusage(RUSAGE_CHILDREN)`` around it, and
the median over ``--runs`` is reported. With ``--before REF``, the package as it was at the
git revision ``REF`` (extracted to a temporary folder, put first on ``PYTHONPATH``) runs in turn
with the current one, so a machine whose speed drifts moves both alike; the last column is the
median of each pair's ratio, and "not imported now" lists the packages the run at ``REF``
imported and the current one does not. Under the table, the first command's libraries alone:
every module its run loads but the package's own, imported by a fresh ``python -c`` (in turn
with the command), the least that command could cost while it uses them. ``--write`` puts the
table in ``benchmarks/RESULTS.md`` (its ``<!-- startup -->`` section).
"""

from __future__ import annotations

import argparse
import compileall
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.generate import write_scenario
from benchmarks.machine import compile_package, describe

HERE = Path(__file__).parent
RESULTS = HERE / "RESULTS.md"
START, END = "<!-- startup -->", "<!-- startup:end -->"
DIGEST_KEY = "bench-digest-key"

# Runs ``python -m reconciler ARGS`` and writes the modules loaded by its end to the file named
# first (the run's exit included), from an exit handler: a finished run ends the process once
# they have run (``reconciler.process_end``).
_LISTING = """\
import atexit, json, runpy, sys
listing = sys.argv.pop(1)

def write_listing():
    with open(listing, "w", encoding="utf-8") as out:
        json.dump(sorted(sys.modules), out)

atexit.register(write_listing)
runpy.run_module("reconciler", run_name="__main__", alter_sys=True)
"""

# Imports each module named in its arguments, in turn, skipping one that cannot be imported on
# its own: the libraries a command loads, without the package's own modules.
_LIBRARIES = """\
import importlib, sys
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception:
        pass
"""


@dataclass(frozen=True)
class Command:
    """A command measured: how the table names it, and its arguments after ``reconciler``."""

    name: str
    arguments: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    """One command's median CPU seconds now (and at ``REF``), and what it no longer imports."""

    command: Command
    now: float
    before: float | None
    ratio: float | None
    deferred: tuple[str, ...]


@dataclass(frozen=True)
class Floor:
    """What the libraries a command loads cost alone: median CPU seconds of importing every
    module the command imports but the package's own, and how many modules that is, measured
    in turn with the command itself (``command_seconds``)."""

    command: Command
    seconds: float
    command_seconds: float
    modules: int


def commands(folder: Path) -> list[Command]:
    """The commands measured, on a one-client desired state: in sync, with one change."""
    in_sync = write_scenario(folder, 1, 0)
    changed = write_scenario(folder, 1, 100)
    desired, known = str(in_sync.desired), str(in_sync.known)
    return [
        Command("plan, 1 client, in sync", ("plan", "-f", desired, "--state", known)),
        Command(
            "plan, 1 client changed",
            ("plan", "-f", desired, "--state", str(changed.known)),
        ),
        Command(
            "plan --format json",
            ("plan", "-f", desired, "--state", str(changed.known), "--format", "json"),
        ),
        Command("validate", ("validate", "-f", desired)),
        Command("--help", ("--help",)),
    ]


def environment(package_root: Path | None) -> dict[str, str]:
    """The variables of a run: the digest key, no colour setting (output goes to a pipe), and
    the package at ``package_root`` first on the path when given."""
    variables = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("INVOICEXPRESS_", "RECONCILER_"))
        and name not in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE")
    }
    variables["RECONCILER_DIGEST_KEY"] = DIGEST_KEY
    if package_root is not None:
        variables["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(package_root), os.environ.get("PYTHONPATH")])
        )
    return variables


def cpu_seconds(arguments: Sequence[str], variables: dict[str, str], cwd: Path) -> float:
    """CPU seconds (user + system) of one run of ``python -m reconciler ARGUMENTS``."""
    return _python_cpu_seconds(["-m", "reconciler", *arguments], variables, cwd)


def _python_cpu_seconds(arguments: Sequence[str], variables: dict[str, str], cwd: Path) -> float:
    """CPU seconds (user + system) of one run of ``python ARGUMENTS``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    ran = subprocess.run(
        [sys.executable, *arguments],
        capture_output=True,
        env=variables,
        cwd=cwd,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if ran.returncode not in (0, 2):
        shown = " ".join(arguments)[:200]
        raise RuntimeError(f"python {shown} failed: {ran.stderr.decode()}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def modules_loaded(arguments: Sequence[str], variables: dict[str, str], cwd: Path) -> list[str]:
    """Every module loaded by the end of one run of ``python -m reconciler ARGUMENTS``."""
    listing = cwd / "modules.json"
    subprocess.run(
        [sys.executable, "-c", _LISTING, str(listing), *arguments],
        capture_output=True,
        env=variables,
        cwd=cwd,
        check=False,
    )
    modules: list[str] = json.loads(listing.read_text("utf-8"))
    return modules


def imported(arguments: Sequence[str], variables: dict[str, str], cwd: Path) -> set[str]:
    """The top-level packages one run of ``python -m reconciler ARGUMENTS`` imports."""
    modules = modules_loaded(arguments, variables, cwd)
    return {name.split(".")[0] for name in modules if not name.startswith("_")}


def libraries(modules: Sequence[str]) -> list[str]:
    """``modules`` less the package's own (and the running script, ``__main__``)."""
    return [
        name
        for name in modules
        if name != "__main__" and name != "reconciler" and not name.startswith("reconciler.")
    ]


def measure_floor(command: Command, runs: int, cwd: Path) -> Floor:
    """The libraries ``command`` loads, imported alone ``runs`` times in turn with the command:
    the least the command could cost while it uses them."""
    variables = environment(None)
    names = libraries(modules_loaded(command.arguments, variables, cwd))
    script = ["-c", _LIBRARIES, *names]
    alone, whole = [], []
    for _ in range(runs):
        alone.append(_python_cpu_seconds(script, variables, cwd))
        whole.append(cpu_seconds(command.arguments, variables, cwd))
    return Floor(command, statistics.median(alone), statistics.median(whole), len(names))


@contextmanager
def package_at(revision: str) -> Iterator[Path]:
    """A folder holding the package as it was at the git ``revision``, its bytecode written."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", revision, "reconciler"],
        cwd=HERE.parent,
        capture_output=True,
        check=True,
    ).stdout
    with tempfile.TemporaryDirectory(prefix="reconciler-startup-before-") as scratch:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(scratch, filter="data")
        compileall.compile_dir(Path(scratch) / "reconciler", quiet=1)
        yield Path(scratch)


def measure(command: Command, runs: int, before: Path | None, cwd: Path) -> Row:
    """``command`` run ``runs`` times, in turn with the package at ``before`` when given."""
    now_variables, before_variables = environment(None), environment(before)
    now, earlier = [], []
    for _ in range(runs):
        if before is not None:
            earlier.append(cpu_seconds(command.arguments, before_variables, cwd))
        now.append(cpu_seconds(command.arguments, now_variables, cwd))
    if before is None:
        return Row(command, statistics.median(now), None, None, ())
    deferred = imported(command.arguments, before_variables, cwd) - imported(
        command.arguments, now_variables, cwd
    )
    ratio = statistics.median(n / b for n, b in zip(now, earlier, strict=True))
    return Row(
        command, statistics.median(now), statistics.median(earlier), ratio, tuple(sorted(deferred))
    )


def table(rows: list[Row], runs: int, revision: str | None, floor: Floor | None = None) -> str:
    """The results as Markdown: the setting, one row per command, then the libraries' floor
    of the first command when measured."""
    lines = [
        "### Start-up",
        "",
        f"Measured on {describe()}, with other work running on the machine.",
        "",
        f"CPU seconds (user + system) of a whole run, `python -m reconciler ...` as a fresh "
        f"process, median of {runs} runs; a one-client desired state with its known state, "
        "`RECONCILER_DIGEST_KEY` set, output to a pipe, bytecode written beforehand.",
    ]
    if revision is None:
        lines += ["", "| command | CPU s |", "|---|---:|"]
        lines += [f"| `{row.command.name}` | {row.now:.3f} |" for row in rows]
        return "\n".join(lines + floor_lines(floor, runs)) + "\n"
    lines[-1] += (
        f" Before is the package at `{revision}`, run in turn with the current one; now ÷ "
        "before is the median of each pair's ratio; the last column names the packages the "
        "run before imported and the current one does not (`python -m benchmarks.startup "
        f"--before {revision}`)."
    )
    lines += [
        "",
        "| command | CPU s before | CPU s now | now ÷ before | not imported now |",
        "|---|---:|---:|---:|---|",
    ]
    for row in rows:
        deferred = ", ".join(row.deferred) or "–"
        lines.append(
            f"| `{row.command.name}` | {row.before:.3f} | {row.now:.3f} | {row.ratio:.2f} "
            f"| {deferred} |"
        )
    return "\n".join(lines + floor_lines(floor, runs)) + "\n"


def floor_lines(floor: Floor | None, runs: int) -> list[str]:
    """The sentence under the table saying what the libraries of ``floor``'s command cost alone
    and what is left to the package (nothing when no floor was measured)."""
    if floor is None:
        return []
    now = floor.command_seconds
    return [
        "",
        f"Libraries alone: the {floor.modules} modules `{floor.command.name}` loads that are "
        "not the package's own, imported one after another by a fresh `python -c`, take "
        f"{floor.seconds:.3f} s of CPU against the command's {now:.3f} s (medians of "
        f"{runs} runs of each in turn), leaving {now - floor.seconds:.3f} s to the "
        "package's own modules and the work of the run.",
    ]


def write_results(text: str, results: Path = RESULTS) -> None:
    """Put ``text`` in the results file's startup section (appended when it has none)."""
    current = results.read_text("utf-8") if results.exists() else ""
    section = f"{START}\n{text}{END}\n"
    start, end = current.find(START), current.find(END)
    if start >= 0 and end >= 0:
        current = current[:start] + section + current[end + len(END) + 1 :]
    else:
        current = current.rstrip("\n") + "\n\n" + section
    results.write_text(current, "utf-8")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__)
    parser.add_argument("--runs", type=int, default=10, help="runs per command (median) [10]")
    parser.add_argument("--before", metavar="REF", help="git revision to compare with")
    parser.add_argument("--only", help="measure only the commands whose name holds this")
    parser.add_argument("--write", action="store_true", help="write benchmarks/RESULTS.md")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    arguments = _arguments(argv)
    compile_package()
    with tempfile.TemporaryDirectory(prefix="reconciler-startup-") as scratch:
        folder = Path(scratch)
        chosen = [c for c in commands(folder) if (arguments.only or "") in c.name]
        with contextmanager_or_none(arguments.before) as before:
            rows = []
            for command in chosen:
                rows.append(measure(command, arguments.runs, before, folder))
                print(rows[-1], file=sys.stderr, flush=True)
        floor = measure_floor(chosen[0], arguments.runs, folder) if chosen else None
    text = table(rows, arguments.runs, arguments.before, floor)
    print(text)
    if arguments.write:
        write_results(text)


@contextmanager
def contextmanager_or_none(revision: str | None) -> Iterator[Path | None]:
    """The package at ``revision``, or nothing to compare with."""
    if revision is None:
        yield None
        return
    with package_at(revision) as root:
        yield root


if __name__ == "__main__":
    main()
