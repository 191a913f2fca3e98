"""Command-line interface: commands, flags and exit codes.

This package is the only place that turns errors into exit codes and messages:

    0  success (plan: no changes, or changes without --detailed-exitcode)
    1  bad input, settings or known state; the lock is held; a stale or tampered saved plan;
       a plan the safety guard refuses without --force; an answer other than yes to apply's
       question; nothing was applied
    2  plan --detailed-exitcode: changes are pending, or (--refresh) drift was found;
       refresh --detailed-exitcode: drift was found
    3  apply finished, but some calls failed or were skipped (the summary says which), or
       --verify found fields not converged
  130  interrupted (Ctrl-C); apply says how many calls finished and how many are recorded

A fleet (a folder, or several -f) exits with the worst of its accounts' codes: 1 > 3 > 2 > 0.

Each command lives in a module of its own and registers itself on ``main``, which imports
it only when the command is used (``group.COMMANDS``); help and shell completion list the
commands without importing them.
"""

from reconciler.cli.group import main

__all__ = ["main"]
