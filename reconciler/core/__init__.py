"""The pure core: resources, diff, plan and its document, guard, targeting, normalization of
live values, the fold of live values into known state, and the known-state data types.

No I/O: nothing here reads a file, a socket or the environment.
"""
