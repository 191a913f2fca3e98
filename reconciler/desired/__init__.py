"""The desired state: a YAML file read with positions (``loader``), ``${VAR}`` expanded
(``envexpand``), validated into models (``models``, ``document``); its JSON Schema (``schema``).

Imports nothing of the package but ``errors``.
"""
