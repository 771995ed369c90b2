"""A private PostgreSQL server for the tests: initdb + pg_ctl in a temporary folder, on loopback.

    server = PostgresServer.start()
    url = server.new_database()          # postgresql://voice@127.0.0.1:PORT/test_1, empty
    server.stop()

``shared_server()`` starts one per test session on first use; the session fixture in
``tests/conftest.py`` stops it. A server also stops when the process that started it exits or is sent
SIGTERM or SIGHUP (CI stopping a run), and one whose owner died anyway (SIGKILL) is stopped and removed by
the next run's first start: each folder records its owner's pid, and a live owner's server is never
touched (runs and helpers share the machine). PostgreSQL refuses to run as root, so under root the
server runs as ``nobody`` in a folder that user owns. The binaries come from Debian's ``postgresql`` package
(``scripts/bootstrap`` installs it). The server trades durability for speed (``fsync = off``);
``durable=True`` keeps PostgreSQL's defaults, for benchmarks.
"""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import psycopg

__all__ = ["PostgresServer", "reap_stale_servers", "shared_server", "stop_shared_server"]

SUPERUSER = "voice"
_SEARCH = ("/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin")
_FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")
PREFIX = "voice-pg-"
OWNER = "owner.pid"
"""The file in a server's folder that holds the pid of the process that started it."""
_STOPPING = (signal.SIGTERM, signal.SIGHUP)
_DEFERRED = (signal.SIGINT, *_STOPPING)


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
        _clean_up_once()
        folder = Path(tempfile.mkdtemp(prefix=PREFIX))
        (folder / OWNER).write_text(f"{os.getpid()}\n")
        server = cls(folder=folder, port=_free_port(), bin=binaries())
        _running[folder] = server
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
        with _signals_deferred():  # a second Ctrl-C must not leave the server half stopped
            self._discard()
        _running.pop(self.folder, None)

    def _discard(self) -> None:
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
_running: dict[Path, PostgresServer] = {}
"""The servers this process started and has not stopped yet."""
_cleaning_up = False


def _clean_up_once() -> None:
    """On the first start: remove what dead runs left, and stop this process's servers when it exits
    or is told to stop (a signal's default action ends the process without running atexit)."""
    global _cleaning_up
    if _cleaning_up:
        return
    _cleaning_up = True
    reap_stale_servers()
    atexit.register(stop_all)
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set signal handlers; atexit still covers a normal exit
    for number in _STOPPING:
        if signal.getsignal(number) is not signal.SIG_IGN:  # nohup: the run goes on, so do its servers
            signal.signal(number, _stop_then_pass_on(signal.getsignal(number)))


def _stop_then_pass_on(previous: object) -> Callable[[int, FrameType | None], None]:
    """A handler that stops this process's servers, then does what the signal did before (by default:
    end the process with the signal, so the caller still sees how it ended)."""

    def handle(number: int, frame: FrameType | None) -> None:
        stop_all()
        if callable(previous):
            previous(number, frame)
            return
        signal.signal(number, signal.SIG_DFL)
        signal.raise_signal(number)

    return handle


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP until the block ends, then deliver them (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {number: signal.signal(number, lambda got, _: held.append(got)) for number in _DEFERRED}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number in held:
            signal.raise_signal(number)


def stop_all() -> None:
    """Stop every server this process started (at exit, or on SIGTERM or SIGHUP)."""
    global _shared
    for server in list(_running.values()):
        server.stop()
    _shared = None


def owner_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie has ended: nobody may reap it in a container)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return False
    except OSError:
        return True  # cannot tell: leave its server alone
    return fields[0] not in ("Z", "X")


def reap_stale_servers(root: Path | None = None) -> list[Path]:
    """Stop and remove the servers in ``root`` (the temporary folder) whose owner process has ended;
    a folder without an owner file is left alone (it may be a start in progress). The removed folders."""
    reaped = []
    for folder in sorted(Path(root or tempfile.gettempdir()).glob(f"{PREFIX}*")):
        try:
            owner = int((folder / OWNER).read_text().strip())
        except (OSError, ValueError):
            continue
        if owner_alive(owner):
            continue
        stale = PostgresServer(folder=folder, port=0, bin=binaries())
        try:
            stale._discard()
        except (RuntimeError, OSError, subprocess.SubprocessError):
            # The postmaster had died too, or a parallel run reaps it at the same time.
            shutil.rmtree(folder, ignore_errors=True)
        reaped.append(folder)
    return reaped


def shared_server() -> PostgresServer:
    """The test session's server, started on first use."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = PostgresServer.start()  # stopped at exit even if the session fixture never ends
        return _shared


def stop_shared_server() -> None:
    global _shared
    with _lock:
        if _shared is not None:
            _shared.stop()
            _shared = None
