"""The loader's limits on hostile or accidental input.

``MAX_FILE_BYTES`` leaves room for accounts far larger than any real one (100,000 clients take
about 42 MB of YAML) while refusing, before reading, a file whose loading would exhaust memory:
parsing costs roughly 15 bytes of memory per byte of YAML.
"""

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_DEPTH = 50
MAX_ALIAS_NODES = 100_000
MAX_SCALAR_CHARS = 100_000
