"""Reaching the PostgreSQL database that keeps known states: the URL checked and shown without
its password, one way to connect, and psycopg's errors turned into the package's own.

psycopg is imported only here and only when a database is used, so the file backend needs
nothing more than the package (``pip install 'invoicexpress-reconciler[postgres]'`` adds it).
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from reconciler.errors import DatabaseUnreachable, SettingsError, StateFileError
from reconciler.storage.conninfo import UNREADABLE, ambiguity, read, scheme_of, scrubbed

__all__ = ["UNREADABLE", "check_url", "connect", "errors_of", "reach", "redacted", "scrubbed"]

if TYPE_CHECKING:
    from psycopg import Connection
    from psycopg.rows import TupleRow

CONNECT_TIMEOUT = 10.0
"""Seconds a connection may take to open, unless the caller says (``RECONCILER_CONNECT_TIMEOUT``);
libpq counts whole seconds, at least 2."""
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}
"""TCP keepalives asked for on every connection (libpq's options): a probe after 30 idle
seconds, then every 10, the peer given up after 3 unanswered, so a connection that sits idle
between batches is neither dropped silently by a firewall nor kept to a server that is gone."""
TCP_USER_TIMEOUT_MS = 60_000
"""Milliseconds data sent may stay unacknowledged before the connection is dropped (libpq 12
and later)."""
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


def connect(
    url: str,
    purpose: str,
    *,
    statement_timeout: float = 0,
    connect_timeout: float = CONNECT_TIMEOUT,
) -> Connection[TupleRow]:
    """An autocommit connection to ``url``, named after this process and ``purpose`` (shown in
    ``pg_stat_activity.application_name``, and so in a message naming a lock's holder).

    TCP keepalives (``KEEPALIVES``, and ``tcp_user_timeout`` where libpq has it) find a server
    that went away within about a minute; an option the URL sets itself is kept.
    ``statement_timeout`` (seconds, 0 for none) bounds each statement on the server.
    ``DatabaseUnreachable`` when no connection opens within ``connect_timeout`` seconds."""
    check_url(url)
    require_driver()
    import psycopg

    name = f"pid {os.getpid()} on {socket.gethostname()}: {purpose}"
    name = name.encode("ascii", "replace").decode()[:63]
    try:
        with errors_of(url, "connect to the known-state database"):
            connection = psycopg.connect(
                url,
                autocommit=True,
                connect_timeout=max(2, math.ceil(connect_timeout)),
                application_name=name,
                **keepalives_unless_set(url),
            )
    except StateFileError as error:
        raise DatabaseUnreachable(str(error)) from None
    with errors_of(url, "connect to the known-state database"):
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


def reach(url: str, connect_timeout: float = CONNECT_TIMEOUT) -> None:
    """Open one connection to ``url`` and close it: ``DatabaseUnreachable`` when none opens."""
    connect(url, "reconciler fleet", connect_timeout=connect_timeout).close()


def keepalives_unless_set(url: str) -> dict[str, Any]:
    """The keepalive options ``url`` does not set itself."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    given = conninfo_to_dict(url)
    wanted: dict[str, int] = dict(KEEPALIVES)
    if psycopg.pq.version() >= 120000:
        wanted["tcp_user_timeout"] = TCP_USER_TIMEOUT_MS
    return {option: value for option, value in wanted.items() if option not in given}


def require_driver() -> None:
    """A ``SettingsError`` saying how to install psycopg, unless it is installed."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise SettingsError(
            "a known state in PostgreSQL needs psycopg: "
            "pip install 'invoicexpress-reconciler[postgres]' "
            "(in a clone: pip install '.[postgres]')"
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


def first_line(error: Exception, url: str) -> str:
    """The first line of a driver's message, with the URL's password replaced."""
    return _first_line(error, url)
