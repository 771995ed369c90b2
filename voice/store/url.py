"""Open the store that a config file's store URL names."""

from __future__ import annotations

import time

from voice.errors import ConfigError

from .base import Clock
from .sessions import Store
from .sqlite import SqliteStore

__all__ = ["open_store"]

POSTGRES_SCHEMES = ("postgresql", "postgres")


def open_store(url: str, *, clock: Clock = time.time) -> Store:
    """Open the store at ``url``.

    ``sqlite:///var/lib/voice/sessions.db`` is an absolute path, ``sqlite://sessions.db`` a path
    relative to the working directory and ``sqlite://:memory:`` a private in-memory database.
    ``postgresql://user:password@host:5432/database?pool_size=10`` is a PostgreSQL database (libpq's
    URL, plus the store's ``pool_size`` and ``pool_timeout``).
    """
    scheme, separator, location = url.partition("://")
    if not separator:
        raise ConfigError(f"the store URL {url!r} has no scheme; write it as sqlite:///path/to/sessions.db.")
    if scheme.lower() in POSTGRES_SCHEMES:
        # Imported here: SQLite users need neither psycopg nor libpq.
        from .postgres import PostgresStore

        return PostgresStore(url, clock=clock)
    if scheme.lower() != "sqlite":
        # Only the scheme is quoted: the rest of a database URL may hold a password.
        raise ConfigError(
            f"the store URL scheme {scheme!r} is not supported; use sqlite:///path/to/sessions.db "
            "or postgresql://user@host:5432/database."
        )
    if not location:
        raise ConfigError("the store URL sqlite:// names no file; write it as sqlite:///path/to/sessions.db.")
    return SqliteStore(location, clock=clock)
