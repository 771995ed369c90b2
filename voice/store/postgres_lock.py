"""The PostgreSQL store's connections: a pool per process, and a session held for one turn.

A turn holds its session with ``pg_advisory_lock`` on a 64-bit hash of the session id, on a
connection taken from the pool for the whole turn; the turn's own reads and writes (in the same
thread) use that connection too, so a turn needs one connection, not two. Threads of one process
that want the same session queue on a lock in the process first, so only one of them waits in
the database. A waiter first tries ``pg_try_advisory_lock`` (one round trip, the usual case), then
waits in the server with ``lock_timeout`` set to what is left of its time: it is woken the moment
the holder lets go, with no polling. A killed worker's connection closes and the server drops its
locks with it; a host that vanishes without closing its connections loses them once the keepalives
(``DEFAULT_KEEPALIVES``) find it gone.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg
import psycopg_pool
from psycopg.types.string import TextLoader

from .base import BusyError, StoreError
from .postgres_schema import migrate
from .session_lock import SessionLocks

__all__ = ["PostgresConnections", "session_key"]

DEFAULT_POOL_SIZE = 10
"""Connections per process: one per turn in progress (gthread's --threads 8), plus the purge and spare."""
DEFAULT_POOL_TIMEOUT = 2.0
"""Seconds a caller waits for a free connection (or for the server to come back) before a StoreError."""
DEFAULT_CONNECT_TIMEOUT = 3
"""libpq's connect_timeout when the URL sets none: a server that does not answer fails within seconds."""
DEFAULT_KEEPALIVES: Mapping[str, str] = MappingProxyType(
    {
        "keepalives": "1",
        "keepalives_idle": "10",
        "keepalives_interval": "5",
        "keepalives_count": "3",
        "tcp_user_timeout": "30000",
    }
)
"""libpq's TCP settings when the URL sets none: a host that crashed or was cut off without closing its
connections holds its sessions' advisory locks until the server notices, which Linux's defaults leave
to about 2 hours. With these a silent peer is dropped after 10 + 3 x 5 = 25 s idle, or 30 s (in ms)
of unacknowledged data."""
_SERVER_KEEPALIVES: Mapping[str, str] = MappingProxyType(
    {
        "keepalives_idle": "tcp_keepalives_idle",
        "keepalives_interval": "tcp_keepalives_interval",
        "keepalives_count": "tcp_keepalives_count",
        "tcp_user_timeout": "tcp_user_timeout",
    }
)
"""The server's settings for its end of the connection, which libpq's only set for the client's end.
The server's end is the one that matters for the locks: it must notice that a host is gone."""

Connection = psycopg.Connection[tuple[Any, ...]]


def session_key(session_id: str) -> int:
    """The advisory-lock key of a session: a signed 64-bit hash of its id."""
    digest = hashlib.blake2b(session_id.encode(), digest_size=8, person=b"voice-turn").digest()
    return int.from_bytes(digest, signed=True)


def _configure(conn: Connection, server_settings: Mapping[str, str]) -> None:
    # JSON columns come back as their text, which the store's codec reads (the same as SQLite's).
    conn.adapters.register_loader("json", TextLoader)
    conn.adapters.register_loader("jsonb", TextLoader)
    if server_settings:  # one round trip per new connection
        calls = ", ".join("set_config(%s, %s, false)" for _ in server_settings)
        conn.execute(f"SELECT {calls}", [part for pair in server_settings.items() for part in pair])  # noqa: S608 - placeholders only


class PostgresConnections:
    """The pool of this process (opened on first use, again after a fork) and the turns' locks."""

    def __init__(self, url: str) -> None:
        self.conninfo, options, self._server_settings = _split_url(url)
        parts = urlsplit(url)
        self.where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"
        try:
            self.pool_size = int(options.pop("pool_size", DEFAULT_POOL_SIZE))
            self.pool_timeout = float(options.pop("pool_timeout", DEFAULT_POOL_TIMEOUT))
        except ValueError as exc:
            raise StoreError(f"the store URL's pool options are not numbers ({exc}); fix the URL.") from exc
        if options or self.pool_size < 1:
            raise StoreError(
                f"the store URL has unknown options {sorted(options)} or a pool_size below 1; "
                "only pool_size and pool_timeout are the store's own, the rest must be libpq's."
            )
        self._mutex = threading.Lock()
        self._pool: psycopg_pool.ConnectionPool[Connection] | None = None
        self._pid = 0
        self._inherited: list[object] = []
        """Pools of a parent process: never used or closed here, only kept from the garbage collector."""
        self._turns = threading.local()
        self._waiting = SessionLocks(None)
        self._closed = False

    def migrate(self) -> tuple[int, int]:
        """Bring the tables to this program's version on a connection of its own."""
        with self._translated(), psycopg.connect(self.conninfo, autocommit=True) as conn:
            return migrate(conn)

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """The connection of the turn this thread holds, or one from the pool for the block."""
        pinned = self._turn_stack()
        with self._translated():
            if pinned:
                yield pinned[-1]
                return
            with self._process_pool().connection() as conn:
                yield conn

    @contextmanager
    def hold(self, session_id: str, timeout: float) -> Iterator[None]:
        """Hold the session for the block, on one connection that the block's queries use too."""
        deadline = time.monotonic() + timeout
        key = session_key(session_id)
        # the wait for a connection is the pool's own (pool_timeout), whatever ``timeout`` is left
        with (
            self._waiting.hold(session_id, timeout),
            self._translated(),
            self._process_pool().connection() as conn,
        ):
            _lock(conn, key, session_id, deadline, timeout)
            stack = self._turn_stack()
            stack.append(conn)
            try:
                yield
            finally:
                stack.pop()
                _unlock(conn, key)

    def _turn_stack(self) -> list[Connection]:
        """The connections of the sessions this thread holds, innermost last."""
        stack: list[Connection] | None = getattr(self._turns, "stack", None)
        if stack is None:
            stack = self._turns.stack = []
        return stack

    def close(self) -> None:
        with self._mutex:
            self._closed = True
            pool, self._pool = self._pool, None
            if pool is not None and self._pid == os.getpid():
                pool.close()

    def _process_pool(self) -> psycopg_pool.ConnectionPool[Connection]:
        with self._mutex:
            if self._closed:
                raise StoreError("the session store was closed; open a new one with open_store.")
            if self._pool is None or self._pid != os.getpid():
                if self._pool is not None:
                    self._inherited.append(self._pool)  # the parent's sockets: leave them alone
                self._pool = psycopg_pool.ConnectionPool(
                    self.conninfo,
                    min_size=1,
                    max_size=self.pool_size,
                    open=False,
                    kwargs={"autocommit": True},
                    configure=functools.partial(_configure, server_settings=self._server_settings),
                    # One empty round trip per checkout: after a database restart, a broken
                    # connection is replaced before a turn uses it, instead of failing that turn.
                    check=psycopg_pool.ConnectionPool.check_connection,
                    timeout=self.pool_timeout,
                    name=f"voice-store-{os.getpid()}",
                )
                self._pool.open(wait=False)
                self._pid = os.getpid()
            return self._pool

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """Turn psycopg's failures into a ``StoreError`` that says what to do."""
        try:
            yield
        except psycopg_pool.PoolTimeout as exc:
            raise StoreError(
                f"no connection to the session database {self.where} within {self.pool_timeout:g} s; "
                "check that PostgreSQL is running and reachable, or raise pool_size."
            ) from exc
        except psycopg.DataError as exc:
            raise StoreError(f"the session database {self.where} refused a value: {_line(exc)}") from exc
        except psycopg.OperationalError as exc:
            raise StoreError(
                f"the session database {self.where} failed: {_line(exc)}; "
                "check that PostgreSQL is running and reachable."
            ) from exc
        except psycopg.Error as exc:
            raise StoreError(
                f"the session database {self.where} failed: {_line(exc)}; "
                "check that it is a voice-skills store (voice data migrate)."
            ) from exc


def _line(exc: Exception) -> str:
    """libpq's message on one line (it spreads a failed connection over two)."""
    return " ".join(str(exc).split()).rstrip(".")


def _lock(conn: Connection, key: int, session_id: str, deadline: float, timeout: float) -> None:
    """Take the advisory lock: one try, then a wait in the server bounded by what is left of ``timeout``."""
    row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
    if row and row[0]:
        return
    left_ms = int((deadline - time.monotonic()) * 1000)
    if left_ms >= 1:  # else it was a try (``timeout`` 0): no wait in the server
        try:
            # One implicit transaction: when the wait times out, the SET is rolled back with it.
            conn.execute(
                f"SET lock_timeout = {left_ms}; SELECT pg_advisory_lock({key}); SET lock_timeout = 0"
            )
            return
        except psycopg.errors.LockNotAvailable:
            pass
    raise BusyError(
        f"session {session_id} stayed busy with another turn for {timeout:g} s; try the turn again."
    )


def _unlock(conn: Connection, key: int) -> None:
    try:
        conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
    except psycopg.Error:
        conn.close()  # the server drops a closed connection's locks; the pool discards it
        raise


def _split_url(url: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """The libpq URL without the store's own options, those options, and the server settings each new
    connection sets (the rest of the URL is kept verbatim).

    What the URL does not set is added: ``connect_timeout`` and the keepalive settings
    (``DEFAULT_KEEPALIVES``), for both ends of each connection (``_server_keepalives``).
    """
    parts = urlsplit(url)
    own: dict[str, str] = {}
    given: dict[str, str] = {}
    rest: list[str] = []
    options = ""
    for pair in filter(None, parts.query.split("&")):
        key, _, value = (unquote(part) for part in pair.partition("="))
        if key.startswith("pool_"):
            own[key] = value
            continue
        if key == "options":
            options = value
        else:
            given[key] = value
        rest.append(pair)
    defaults = {"connect_timeout": str(DEFAULT_CONNECT_TIMEOUT), **DEFAULT_KEEPALIVES}
    rest.extend(f"{key}={value}" for key, value in defaults.items() if key not in given)
    server = _server_keepalives(options, {**defaults, **given})
    return urlunsplit(("postgresql", parts.netloc, parts.path, "&".join(rest), parts.fragment)), own, server


def _server_keepalives(options: str, settings: Mapping[str, str]) -> dict[str, str]:
    """The server keepalive settings that mirror the connection's libpq ones, set with ``set_config``
    once a connection is open (not as startup ``options``, which PgBouncer in its default configuration
    refuses); a setting the URL's ``options`` names already is left as it is (the user's URL wins)."""
    return {
        server: settings[client] for client, server in _SERVER_KEEPALIVES.items() if server not in options
    }
