"""A throwaway PostgreSQL cluster for tests: initdb into a temporary folder, serve, remove.

The cluster listens on 127.0.0.1 only, on a free port, with its unix socket inside its own
folder, and trusts every connection (no password), so tests connect as ``postgres``.

PostgreSQL refuses to run as root. When the tests run as root, every server program runs as the
``postgres`` system user (``subprocess``'s ``user=``/``group=``, no ``runuser`` or ``sudo``
needed) and the folders are handed to that user; otherwise they run as the current user.

initdb takes seconds (and several at once on few cores take tens), copying its result a
fraction of one: given a ``template`` folder, the first cluster runs initdb into it under a
file lock and every cluster copies that pristine data folder.

Durability: ``fsync=off`` with ``synchronous_commit=on``. A commit is acknowledged only once its
WAL is written to the kernel, so it survives a SIGKILL of any client and also an immediate stop
or a kill of the server (``restart("immediate")`` runs crash recovery). Only an operating-system
crash or power loss could lose it, which no test causes.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import psycopg
from filelock import FileLock
from psycopg import sql

SUPERUSER = "postgres"
START_TIMEOUT = 60.0
"""Seconds a start (or restart) may take before it counts as failed."""


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl: ``$RECONCILER_PG_BINDIR``, else PostgreSQL 15's
    Debian folder, else the newest ``/usr/lib/postgresql/*/bin``; ``None`` when there is none."""
    if override := os.environ.get("RECONCILER_PG_BINDIR"):
        candidates = [Path(override)]
    else:
        others = Path("/usr/lib/postgresql").glob("*/bin")
        newest = sorted(others, key=lambda p: _version(p.parent.name), reverse=True)
        candidates = [Path("/usr/lib/postgresql/15/bin"), *newest]
    return next((c for c in candidates if (c / "initdb").is_file()), None)


def dbname(url: str) -> str:
    """The database name in a ``postgresql://user@host:port/dbname`` URL."""
    return url.rsplit("/", 1)[1]


def make_folder(prefix: str) -> Path:
    """A new empty temporary folder that the server programs may write in: in
    ``$RECONCILER_PG_TMPDIR``, else in /dev/shm when it has 1 GiB free, else in the usual
    temporary folder. (On a disk creating a file can take milliseconds, and initdb creates a
    thousand; on tmpfs copying a cluster takes 0.1 s rather than 2.)"""
    base = os.environ.get("RECONCILER_PG_TMPDIR")
    if base is None and os.path.isdir("/dev/shm"):
        shm = os.statvfs("/dev/shm")
        base = "/dev/shm" if shm.f_bavail * shm.f_frsize >= 2**30 else None
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SUPERUSER)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    return folder


@dataclass
class PostgresServer:
    """One running cluster; use as a context manager or call :meth:`start` and :meth:`stop`."""

    bindir: Path
    template: Path | None = None
    """A folder (from :func:`make_folder`) shared by clusters to keep one initdb result in."""
    options: dict[str, str] = field(default_factory=dict)
    """Server settings (``postgresql.conf`` lines, e.g. ``{"max_connections": "20"}``) that
    override the defaults."""
    root: Path = field(init=False)
    port: int = field(init=False, default=0)

    def start(self) -> None:
        """Create the cluster and start it, retrying on another port if the one chosen was
        taken meanwhile; return once it accepts connections."""
        self.root = make_folder("reconciler-pg-")
        try:
            if self.template is None:
                self._initdb(self.data)
            else:
                _run(["cp", "-a", str(self._template_data()), str(self.data)], self.root)
            for attempt in range(3):
                self.port = _free_port()
                self._configure()
                try:
                    self._pg_ctl_start()
                    break
                except RuntimeError as error:
                    if attempt == 2 or "could not bind" not in str(error):
                        raise
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server at once (no checkpoint) and remove its folder."""
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("stop", "-D", str(self.data), "-m", "immediate", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def restart(self, mode: Literal["smart", "fast", "immediate"] = "fast") -> None:
        """Stop the server (``immediate`` is a crash: recovery runs on start) and start it
        again on the same port; every connection is closed."""
        self._pg_ctl("stop", "-D", str(self.data), "-m", mode)
        self._pg_ctl_start()
        self._wait_ready()

    def url(self, database: str = "postgres") -> str:
        """``postgresql://postgres@127.0.0.1:PORT/database``."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """Create an empty database with a new name and return its URL."""
        name = f"test_{uuid.uuid4().hex[:16]}"
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, database: str) -> None:
        """Drop a database, ending any connection to it."""
        query = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        self._admin(query.format(sql.Identifier(database)))

    def terminate_backends(self, database: str) -> int:
        """End every connection to ``database`` (``pg_terminate_backend``), waiting until each
        server process has exited, so its session locks are free; return how many."""
        query = (
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, %s)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()"
        )
        row = self._admin(query, (int(START_TIMEOUT * 1000), database))
        return int(row[0]) if row else 0

    @property
    def data(self) -> Path:
        return self.root / "data"

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _initdb(self, data: Path) -> None:
        command = [str(self.bindir / "initdb"), "-D", str(data), "-U", SUPERUSER]
        command += ["--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]
        _run(command, data.parent)

    def _template_data(self) -> Path:
        # Built aside and renamed, so a "data" folder that exists is complete.
        assert self.template is not None
        data, building = self.template / "data", self.template / "initdb"
        with FileLock(self.template / "lock", timeout=START_TIMEOUT * 2):
            if not data.exists():
                shutil.rmtree(building, ignore_errors=True)
                self._initdb(building)
                building.rename(data)
        return data

    def _configure(self) -> None:
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.root}'",
            "fsync": "off",
            "synchronous_commit": "on",
            "min_wal_size": "'32MB'",  # a small footprint when in memory
            "max_wal_size": "'128MB'",
            **self.options,
        }
        with (self.data / "postgresql.conf").open("a") as conf:  # later lines win
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def _pg_ctl_start(self) -> None:
        # pg_ctl -w polls the server's pid file until it reports ready or has exited, bounded
        # by -t; _wait_ready then confirms with a real connection.
        log = self.root / "server.log"
        args = ["-D", str(self.data), "-l", str(log), "-w", "-t", str(int(START_TIMEOUT))]
        result = self._pg_ctl("start", *args, check=False)
        if result.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed:\n{result.stdout}{result.stderr}\n{tail}")

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                psycopg.connect(self.url(), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _admin(self, query: Any, params: tuple[Any, ...] | None = None) -> tuple[Any, ...] | None:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchone() if cursor.description else None

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return _run([str(self.bindir / "pg_ctl"), *args], self.root, check=check)


def _run(command: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command as ``postgres`` when root, else as the current user, without PG* variables
    from the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    as_root = os.geteuid() == 0
    result = subprocess.run(
        command,
        cwd=cwd,
        env={**env, "HOME": str(cwd), "LC_ALL": "C"},
        capture_output=True,
        text=True,
        user=SUPERUSER if as_root else None,
        group=pwd.getpwnam(SUPERUSER).pw_gid if as_root else None,
        extra_groups=[] if as_root else None,
        timeout=START_TIMEOUT * 2,
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed:\n{result.stdout}{result.stderr}")
    return result


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", name))
