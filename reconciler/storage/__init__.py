"""Everything that touches the disk: the known-state store and its journal, the lock, saved
plans and the drift log. Every file is written through ``files``."""
