"""A private PostgreSQL server for the tests: initdb + pg_ctl in a temporary folder, on loopback.

    server = PostgresServer.start()
    url = server.new_database()          # postgresql://voice@127.0.0.1:PORT/test_1, empty
    server.stop()

``shared_server()`` starts one per test session on first use; the session fixture in
``tests/conftest.py`` stops it. PostgreSQL refuses to run as root, so under root the server runs as
``nobody`` in a folder that user owns. The binaries come from Debian's ``postgresql`` package
(``scripts/bootstrap`` installs it). The server trades durability for speed (``fsync = off``);
``durable=True`` keeps PostgreSQL's defaults, for benchmarks.
"""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

__all__ = ["PostgresServer", "shared_server", "stop_shared_server"]

SUPERUSER = "voice"
_SEARCH = ("/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin")
_FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def binaries() -> Path:
    """The folder of initdb and pg_ctl: PATH first, then Debian's versioned folders."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    for folder in _SEARCH:
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    raise RuntimeError("PostgreSQL is not installed; run scripts/bootstrap (apt-get install postgresql).")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """A running server in ``folder``, listening on 127.0.0.1:``port``."""

    folder: Path
    port: int
    bin: Path
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _pid: int = field(default_factory=os.getpid)

    @classmethod
    def start(cls, *, durable: bool = False, max_connections: int = 300) -> PostgresServer:
        """initdb a new cluster in a temporary folder and start it; as root, run it as ``nobody``."""
        folder = Path(tempfile.mkdtemp(prefix="voice-pg-"))
        server = cls(folder=folder, port=_free_port(), bin=binaries())
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(folder, nobody.pw_uid, nobody.pw_gid)
        data = folder / "data"
        server._run("initdb", "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync")
        settings = [
            "listen_addresses='127.0.0.1'",
            f"port={server.port}",
            f"unix_socket_directories='{folder}'",
            f"max_connections={max_connections}",
            "shared_buffers=64MB",
            *([] if durable else _FAST),
        ]
        with (data / "postgresql.auto.conf").open("a") as conf:
            conf.write("".join(f"{line}\n" for line in settings))
        server._run("pg_ctl", "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60", "start")
        return server

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def new_database(self, prefix: str = "test") -> str:
        """The URL of a new, empty database."""
        name = f"{prefix}_{next(self._names)}"
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server at once and delete its folder (only from the process that started it)."""
        if os.getpid() != self._pid:
            return
        if (self.folder / "data" / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        user = "nobody" if os.geteuid() == 0 else None
        done = subprocess.run(
            [str(self.bin / program), *args],
            user=user,
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.strip()}\n{tail}")


_shared: PostgresServer | None = None
_lock = threading.Lock()


def shared_server() -> PostgresServer:
    """The test session's server, started on first use."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = PostgresServer.start()
            atexit.register(stop_shared_server)  # in case the session fixture never runs its end
        return _shared


def stop_shared_server() -> None:
    global _shared
    with _lock:
        if _shared is not None:
            _shared.stop()
            _shared = None
