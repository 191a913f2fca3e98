"""Resource kinds: one module per kind (``account``, ``sequence``, ``client``), what a kind
declares (``base``), and the one list of them (``registry``)."""
