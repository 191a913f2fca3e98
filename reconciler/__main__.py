"""``python -m reconciler`` (and the ``reconciler`` command) runs the command-line interface.

The CLI is imported inside ``run`` so that a Ctrl-C or SIGTERM while its modules load still
ends with one line, not a traceback. A finished run ends without freeing what its command
kept (``process_end``).
"""

from reconciler import interrupts, process_end


def run() -> None:
    """The entry point: the CLI, with interruptions at any moment ending in one line."""
    try:
        interrupts.install()
        process_end.begin()
        from reconciler.cli import main

        main()
    except KeyboardInterrupt:
        interrupts.leave()
    except SystemExit as done:
        interrupts.ignore()
        process_end.leave(done.code)  # ends the process here, unless the interpreter must
        raise
    finally:
        interrupts.ignore()  # a signal while the interpreter shuts down: nothing left to stop


if __name__ == "__main__":
    run()
