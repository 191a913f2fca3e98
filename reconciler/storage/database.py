"""Reaching the PostgreSQL database that keeps known states: the URL checked and shown without
its password, one way to connect, and psycopg's errors turned into the package's own.

psycopg is imported only here and only when a database is used, so the file backend needs
nothing more than the package (``pip install 'reconciler[postgres]'`` adds it).
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING

from reconciler.errors import SettingsError, StateFileError
from reconciler.storage.conninfo import UNREADABLE, ambiguity, read, scheme_of, scrubbed

__all__ = ["UNREADABLE", "check_url", "connect", "errors_of", "redacted", "scrubbed"]

if TYPE_CHECKING:
    from psycopg import Connection
    from psycopg.rows import TupleRow

CONNECT_TIMEOUT = 10
"""Seconds a connection may take to open."""
SCHEMES = ("postgresql", "postgres")


def check_url(url: str) -> None:
    """Refuse anything but a ``postgresql://`` URL that libpq reads as written (the message
    never shows a password)."""
    if scheme_of(url) not in SCHEMES:
        raise SettingsError(
            f"the known-state database must be a postgresql:// URL, not {redacted(url)!r}"
        )
    problem = ambiguity(url)
    if problem is not None:
        raise SettingsError(f"the known-state database URL {redacted(url)!r} holds {problem}")


def redacted(url: str) -> str:
    """``url`` (a URL or ``key=value`` pairs) with every password shown as ``***``."""
    return read(url).shown


def connect(url: str, purpose: str, *, statement_timeout: float = 0) -> Connection[TupleRow]:
    """An autocommit connection to ``url``, named after this process and ``purpose`` (shown in
    ``pg_stat_activity.application_name``, and so in a message naming a lock's holder).

    TCP keepalives find a server that went away within about a minute; ``statement_timeout``
    (seconds, 0 for none) bounds each statement on the server."""
    check_url(url)
    require_driver()
    import psycopg

    name = f"pid {os.getpid()} on {socket.gethostname()}: {purpose}"
    name = name.encode("ascii", "replace").decode()[:63]
    with errors_of(url, "connect to the known-state database"):
        connection = psycopg.connect(
            url,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT,
            application_name=name,
            keepalives=1,
            keepalives_idle=30,
            keepalives_interval=10,
            keepalives_count=3,
        )
        if statement_timeout > 0:
            milliseconds = f"{max(1, round(statement_timeout * 1000))}ms"
            try:
                connection.execute(
                    "SELECT set_config('statement_timeout', %s, false)", (milliseconds,)
                )
            except BaseException:
                connection.close()
                raise
        return connection


def require_driver() -> None:
    """A ``SettingsError`` saying how to install psycopg, unless it is installed."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise SettingsError(
            "a known state in PostgreSQL needs psycopg: pip install 'reconciler[postgres]'"
        ) from None


@contextlib.contextmanager
def errors_of(url: str, doing: str) -> Iterator[None]:
    """Turn psycopg's errors raised while ``doing`` into ``StateFileError`` naming the database
    (its password never shown)."""
    require_driver()
    import psycopg

    try:
        yield
    except psycopg.OperationalError as error:
        raise StateFileError(
            f"{redacted(url)}: cannot {doing}: {_first_line(error, url)}. The connection was "
            "refused or lost; everything committed before is kept: run the command again"
        ) from None
    except psycopg.Error as error:
        raise StateFileError(
            f"{redacted(url)}: cannot {doing}: {_first_line(error, url)}"
        ) from None


def _first_line(error: Exception, url: str) -> str:
    lines = str(error).strip().splitlines()
    return scrubbed(lines[0] if lines else type(error).__name__, url).rstrip(".")
