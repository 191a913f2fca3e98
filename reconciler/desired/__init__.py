"""The desired state: a YAML file read with positions (``loader``), ``${VAR}`` expanded from
the variables the operator allowed (``envexpand``, ``secrets_in_play``), no secret in play
outside a password field (``secret_screen``), validated into models (``models``,
``document``); its JSON Schema (``schema``).

Imports nothing of the package but ``errors``.
"""
