"""The loader's limits on hostile or accidental input.

``MAX_FILE_BYTES`` holds 250,000 clients (about 99.7 MiB as the benchmarks write them) and
keeps reporting an error in a file at the limit near 2 GiB, what planning it needs anyway:
a refused value is placed by the careful parser on its list item alone, and a file the fast
path declines (a duplicate key, a syntax error) is loaded by the careful parser without a map
of every value, so either costs about 17.6 MiB of memory per MiB of YAML above a 46 MiB
baseline (``python -m benchmarks.error_path_memory``, ``--error duplicate``: 1.8 GiB at
100 MiB). Only a file whose layout the outline cannot follow (flow style at the top, a
top-level key written twice) and that has a problem to place after loading pays for every
position, about 36 MiB per MiB (4 GiB at the limit). A larger file is refused by its size,
before it is read.
"""

MAX_FILE_BYTES = 112 * 1024 * 1024
MAX_DEPTH = 50
MAX_ALIAS_NODES = 100_000
MAX_SCALAR_CHARS = 100_000
MAX_NUMBER_DIGITS = 19
"""The most digits of a whole number (an id, a sequence id) in the file or on the command line:
an id is below 2^63 (64 bits); a longer number is refused by its length, never converted."""
