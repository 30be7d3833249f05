"""A throw-away PostgreSQL server for the tests: a real cluster from Debian's `postgresql` package.

`initdb` and `pg_ctl` run in a temporary folder; the server listens only on a Unix socket in that
folder (no port to collide with other test runs on the machine). initdb refuses to run as root, so
as root the cluster belongs to the `postgres` user that the package creates.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "trainer"
"""Role the tests connect as (created by initdb, so no password is involved)."""


def _binaries() -> Path:
    """Folder of initdb and pg_ctl: Debian keeps them out of PATH, one folder per major version."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise RuntimeError("PostgreSQL is not installed: run `make setup` (Debian package postgresql)")


@dataclass
class PostgresServer:
    """A running throw-away cluster; `new_database()` gives each test its own empty database."""

    folder: Path
    """Holds the cluster (`data/`), the socket and the server log."""
    bin_dir: Path = field(default_factory=_binaries)
    """Where initdb, pg_ctl and psql are."""
    _names: itertools.count[int] = field(default_factory=itertools.count)
    options: str = ""
    """The server's command-line options (`pg_ctl -o`)."""

    def _run(self, command: Sequence[str]) -> None:
        """Run a server tool as the cluster's owner (initdb and postgres refuse to run as root)."""
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        data = self.folder / "data"
        self._run(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ]
        )
        # Durability is not what the tests check; fsync off keeps them fast on a loaded machine.
        self.options = (
            f"-k {self.folder} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
            " -c full_page_writes=off -c max_connections=200"
        )
        self.resume()

    def resume(self) -> None:
        """Start the cluster's server (again, after `halt`)."""
        self._run(
            [
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-l",
                str(self.folder / "server.log"),
                "-o",
                self.options,
                "-w",
                "start",
            ]
        )

    def halt(self) -> None:
        """Stop the server as an operator does (`pg_ctl stop`, fast): every client connection
        is ended; the cluster stays for `resume`."""
        self._run(
            [
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-m",
                "fast",
                "-w",
                "stop",
            ]
        )

    def restart(self) -> None:
        self.halt()
        self.resume()

    def stop(self) -> None:
        """Stop the server and remove its folder (the cluster was for this session only)."""
        try:
            self.halt()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """A libpq URL for a database of this server, through its Unix socket."""
        return f"postgresql://{SUPERUSER}@/{database}?host={self.folder}"

    def new_database(self) -> str:
        """Create an empty database and return its URL."""
        import psycopg

        name = f"test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"'.encode())
        return self.url(name)


def start_server() -> PostgresServer:
    folder = Path(tempfile.mkdtemp(prefix="trainer-pg-"))
    folder.chmod(0o755)
    server = PostgresServer(folder)
    server.start()
    return server
