"""A finished run ends without freeing what its command kept (``reconciler.process_end``), and
ends exactly as the interpreter would have: every line printed, the exit handlers run, its own
exit status; wherever ending early could lose something, the interpreter ends it as usual."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from reconciler.core.known import KnownState, Record
from reconciler.storage.state_file import StateStore

# A child that keeps an object which says when it is freed, leaves buffered output unflushed
# and registers an exit handler, then asks ``leave`` to end it; PREPARE and LEAVE vary.
CHILD = """
import atexit, sys, threading
from reconciler import process_end

class Witness:
    def __del__(self):
        sys.stderr.write("freed\\n")

atexit.register(lambda: sys.stderr.write("exit handler ran\\n"))
{prepare}
process_end.keep(Witness())
sys.stdout.write("all of the output")  # buffered: stdout is a pipe
process_end.leave({code})
sys.stderr.write("the interpreter ends the run\\n")
{after}
sys.exit(7)
"""


def _child(*, prepare: str = "process_end.begin()", code: str = "3", after: str = "") -> str:
    return textwrap.dedent(CHILD).format(prepare=prepare, code=code, after=after)


def _environ(**extra: str) -> dict[str, str]:
    """This environment, with output buffered (as a user's is): what a flush must write."""
    return {k: v for k, v in {**os.environ, **extra}.items() if k != "PYTHONUNBUFFERED"}


def _run(source: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", source],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=_environ(),
    )


def test_a_finished_run_ends_with_its_status_and_output_without_freeing_what_was_kept() -> None:
    done = _run(_child())
    assert done.returncode == 3, done.stderr
    assert done.stdout == "all of the output"
    assert done.stderr == "exit handler ran\n"  # and the kept object was never freed


def test_a_status_of_none_ends_with_status_zero() -> None:
    done = _run(_child(code="None"))
    assert (done.returncode, done.stdout) == (0, "all of the output"), done.stderr


def test_nothing_is_kept_unless_the_entry_point_began_keeping() -> None:
    """A command run in-process (a test's runner) keeps nothing: the interpreter ends it."""
    done = _run(_child(prepare=""))
    assert done.returncode == 7
    assert done.stdout == "all of the output"
    assert done.stderr == "freed\nthe interpreter ends the run\nexit handler ran\n"


def test_an_exit_with_a_message_is_left_to_the_interpreter() -> None:
    done = _run(_child(code="'a message'"))
    assert done.returncode == 7
    assert "the interpreter ends the run" in done.stderr and "freed" in done.stderr


def test_a_run_with_another_thread_still_going_is_left_to_the_interpreter() -> None:
    """The interpreter waits for the thread (and runs what it leaves); ending early would not."""
    prepare = textwrap.dedent("""
        process_end.begin()
        release = threading.Event()
        worker = threading.Thread(target=lambda: (release.wait(), print("worker done")))
        worker.start()
    """)
    done = _run(_child(prepare=prepare, after="release.set()"))
    assert done.returncode == 7
    assert done.stdout == "all of the outputworker done\n"
    assert done.stderr == "the interpreter ends the run\nexit handler ran\nfreed\n"


def test_output_that_cannot_be_flushed_is_reported_as_the_interpreter_reports_it() -> None:
    """A reader gone before the output was flushed: the interpreter's own complaint and its
    exit status 120, as without ``process_end``."""
    source = textwrap.dedent("""
        import os, sys
        from reconciler import process_end
        reader, writer = os.pipe()
        os.close(reader)
        os.dup2(writer, 1)
        sys.stdout.write("lost")
        {ending}
        sys.exit(0)
    """)
    with_end = _run(
        source.format(ending="process_end.begin(); process_end.keep(1)\nprocess_end.leave(0)")
    )
    without = _run(source.format(ending=""))
    assert with_end.returncode == without.returncode == 120
    assert "BrokenPipeError" in with_end.stderr and "BrokenPipeError" in without.stderr


def test_a_plan_run_ends_early_with_its_whole_plan_and_its_exit_status(tmp_path: Path) -> None:
    """``reconciler plan`` keeps its inputs and session, and its entry point ends the process
    with os._exit once the plan is printed, with the command's own exit status."""
    desired, known = tmp_path / "state.yaml", tmp_path / "known.state.json"
    desired.write_text("clients:\n  - id: 7\n    code: C7\n    name: Sete\n", "utf-8")
    lineage = "00000000-0000-4000-8000-000000000000"
    records = {"client:7": Record({"code": "C7", "name": "Seis"}, "2026-01-01")}
    StateStore(known).save(KnownState(lineage, serial=1, resources=records))
    source = textwrap.dedent("""
        import atexit, os, sys
        from reconciler import process_end
        real_exit = os._exit

        def reported_exit(code):
            sys.stderr.write(f"os._exit({code})\\n")
            sys.stderr.flush()
            real_exit(code)

        os._exit = reported_exit
        kept = lambda: sorted(type(value).__name__ for value in process_end._kept.values())
        atexit.register(lambda: sys.stderr.write(f"kept {kept()}\\n"))
        sys.argv = ["reconciler", *sys.argv[1:]]
        from reconciler.__main__ import run
        run()
    """)
    arguments = ["plan", "-f", str(desired), "--state", str(known), "--detailed-exitcode"]
    done = subprocess.run(
        [sys.executable, "-c", source, *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=_environ(RECONCILER_DIGEST_KEY="end-key", NO_COLOR="1"),
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert "~ update client 7" in done.stdout and 'name: "Seis" → "Sete"' in done.stdout
    assert done.stdout.endswith("\nPlan: 1 call (1 update client); 0 resources in sync.\n")
    assert done.stderr.endswith("kept ['Inputs', 'KnownState', 'Session']\nos._exit(2)\n")
