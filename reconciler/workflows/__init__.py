"""The use cases the command line calls: plan, apply, refresh, import, verify, create-missing.

Each is a function of plain inputs (a ``Target``, a loaded desired state) that returns data for
``cli`` to print; none prints or exits.
"""
