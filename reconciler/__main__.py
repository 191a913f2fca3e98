"""``python -m reconciler`` (and the ``reconciler`` command) runs the command-line interface.

The CLI is imported inside ``run`` so that a Ctrl-C or SIGTERM while its modules load still
ends with one line, not a traceback.
"""

from reconciler import interrupts


def run() -> None:
    """The entry point: the CLI, with interruptions at any moment ending in one line."""
    try:
        interrupts.install()
        from reconciler.cli import main

        main()
    except KeyboardInterrupt:
        interrupts.leave()
    finally:
        interrupts.ignore()  # a signal while the interpreter shuts down: nothing left to stop


if __name__ == "__main__":
    run()
