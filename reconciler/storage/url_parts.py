"""A database URL without its password: what a saved plan may record of where its known state is."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from reconciler.errors import SettingsError
from reconciler.storage.conninfo import read


def without_password(url: str) -> str:
    """``url`` (a ``postgresql://`` URL that ``check_url`` accepted) with no password: none in
    its user info, no ``password=`` in its query. What remains names the same database, user
    and options; the password comes from the environment again (a URL naming the same database,
    ``PGPASSWORD`` or ``~/.pgpass``)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    at = netloc.rfind("@")
    if at >= 0:
        user = netloc[:at].split(":", 1)[0]
        netloc = f"{user}@{netloc[at + 1 :]}" if user else netloc[at + 1 :]
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = urlencode([(k, v) for k, v in query if k.strip().lower() != "password"])
    bare = urlunsplit((parts.scheme, netloc, parts.path, kept, parts.fragment))
    if read(bare).passwords:  # never: every place a password can hide was dropped above
        raise SettingsError("the known-state URL's password could not be left out of the plan")
    return bare
