"""The loader's limits on hostile or accidental input.

``MAX_FILE_BYTES`` is set so that reporting an error never needs more than 2 GiB: a file with
one problem at its end takes the careful path (every position) after the fast one, and that
costs about 39 MiB of memory per MiB of YAML (``python -m benchmarks.error_path_memory``:
38.9 at 16 MiB, 37.9 at 32 MiB, above a 48 MiB baseline). 40 MiB is then at most about
1.6 GiB (1.9 GiB even at the 46 MiB per MiB once seen on a 120 MB file), and still holds
100,000 clients (about 39.9 MiB as the benchmarks write them). A larger file is refused by
its size, before it is read.
"""

MAX_FILE_BYTES = 40 * 1024 * 1024
MAX_DEPTH = 50
MAX_ALIAS_NODES = 100_000
MAX_SCALAR_CHARS = 100_000
MAX_NUMBER_DIGITS = 19
"""The most digits of a whole number (an id, a sequence id) in the file or on the command line:
an id is below 2^63 (64 bits); a longer number is refused by its length, never converted."""
