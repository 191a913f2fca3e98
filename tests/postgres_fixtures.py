"""Pytest fixtures for a real PostgreSQL server (registered in ``tests/conftest.py``).

``postgres_server`` is one throwaway cluster per session, so one per xdist worker, each on its
own port. ``postgres_url`` is a fresh, empty database on it for one test, dropped afterwards.
``own_server`` is a cluster of a test's own, for one that sets the server's options or stops it.
Without PostgreSQL's server programs the outermost pytest process installs them from Debian's
packages when it can (root, apt-get), as ``.ci/run`` does, so the README's test command needs
nothing else on a fresh machine; otherwise the fixtures fail, unless
``RECONCILER_SKIP_POSTGRES=1`` makes them skip.

The clusters copy one initdb result, kept in a folder that the outermost pytest process (the
xdist controller) creates, names to its workers in ``RECONCILER_PG_TEMPLATE`` and removes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import PostgresServer, dbname, find_bindir, make_folder

_TEMPLATE_VARIABLE = "RECONCILER_PG_TEMPLATE"
_SET_UP_VARIABLE = "RECONCILER_PG_SET_UP"
_owned_template = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get(_SET_UP_VARIABLE) == "1":  # an xdist worker: the controller set up
        return
    os.environ[_SET_UP_VARIABLE] = "1"
    if find_bindir() is None and os.environ.get("RECONCILER_SKIP_POSTGRES") != "1":
        _install_postgres()
    if _TEMPLATE_VARIABLE not in os.environ and find_bindir() is not None:
        folder = make_folder("reconciler-pg-template-")
        os.environ[_TEMPLATE_VARIABLE] = str(folder)
        config.stash[_owned_template] = folder


def _install_postgres() -> None:
    """PostgreSQL's server programs from Debian's packages, when running as root with apt-get;
    a failure leaves the fixtures to say what is missing."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return
    print("PostgreSQL's server programs are missing: installing postgresql-15", file=sys.stderr)
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}

    def quietly(*command: str) -> int:
        ran = subprocess.run(command, env=environment, stdout=subprocess.DEVNULL, check=False)
        return ran.returncode

    quietly("apt-get", "update", "-qq")
    for package in ("postgresql-15", "postgresql"):
        if quietly("apt-get", "install", "-y", "-qq", "--no-install-recommends", package) == 0:
            return


def pytest_unconfigure(config: pytest.Config) -> None:
    if folder := config.stash.get(_owned_template, None):
        del os.environ[_TEMPLATE_VARIABLE]
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A running PostgreSQL cluster, stopped and removed at the end of the session."""
    bindir = find_bindir()
    if bindir is None:
        message = (
            "PostgreSQL server programs not found (no initdb in $RECONCILER_PG_BINDIR or "
            "/usr/lib/postgresql/*/bin): "
            "install postgresql-15 or set RECONCILER_PG_BINDIR; "
            "set RECONCILER_SKIP_POSTGRES=1 to skip the tests that need it."
        )
        if os.environ.get("RECONCILER_SKIP_POSTGRES") == "1":
            pytest.skip(message)
        pytest.fail(message, pytrace=False)
    template = os.environ.get(_TEMPLATE_VARIABLE)
    with PostgresServer(bindir, Path(template) if template else None) as server:
        yield server


def own_server(**options: str) -> PostgresServer:
    """A cluster of the calling test's own (to use with ``with``), with ``options`` in its
    configuration, copied from the session's initdb result; the test skips without
    PostgreSQL's server programs."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server programs not found")
    template = os.environ.get(_TEMPLATE_VARIABLE)
    return PostgresServer(bindir, Path(template) if template else None, options=options)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """``postgresql://postgres@127.0.0.1:PORT/NAME`` of a new empty database for this test."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(dbname(url))
