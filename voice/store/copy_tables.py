"""The two ends of ``voice data copy``: a store's tables as the database itself describes them.

Nothing here names a table or a column. Each end asks its database for its tables, their columns
(with their declared types) and primary keys, so a table or column that a later schema version
adds is copied without a change here. Rows are read in primary-key order, a batch at a time after
the last key read (keyset paging, byte order of text on both databases), and written with an
upsert on the primary key in one transaction per batch, so a batch written twice is stored once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.string import TextLoader

from .base import StoreError
from .postgres_lock import PostgresConnections
from .sqlite_files import connect

__all__ = ["Column", "Endpoint", "PostgresEnd", "Row", "SqliteEnd", "Table", "open_end"]

Row = tuple[Any, ...]
BOOKKEEPING = {"schema_version"}
"""Tables of the schema machinery itself, which each store keeps on its own (SQLite's start with sqlite_)."""


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    """The declared type, lower case: ``text``, ``json``, ``boolean``, ``double precision``, ``real``..."""
    generated: bool = False
    """The database fills it in (an identity or generated column)."""
    identity: bool = False
    """An identity column (PostgreSQL): writing it needs ``OVERRIDING SYSTEM VALUE``."""


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    def column(self, name: str) -> Column | None:
        return next((column for column in self.columns if column.name == name), None)


class Endpoint(ABC):
    """One database: the source or the target of a copy."""

    @abstractmethod
    def tables(self) -> dict[str, Table]:
        """The store's tables, by name, without the schema's own bookkeeping."""

    @abstractmethod
    def read(self, table: Table, columns: Sequence[str], after: Row | None, limit: int) -> list[Row]:
        """Up to ``limit`` rows of ``columns`` whose key follows ``after`` (all when None), in key order."""

    @abstractmethod
    def write(self, table: Table, columns: Sequence[str], rows: Sequence[Row]) -> None:
        """Insert or replace ``rows`` (keyed by the table's primary key) in one transaction."""

    @abstractmethod
    def last_key(self, table: Table) -> Row | None:
        """The greatest key in the table, or None when it is empty."""

    def finish(self, table: Table) -> None:  # noqa: B027 - only PostgreSQL has sequences to move on
        """After a table is copied: let the database's own numbering continue after the copied rows."""

    @abstractmethod
    def close(self) -> None: ...


class SqliteEnd(Endpoint):
    def __init__(self, path: str) -> None:
        if path == ":memory:":
            raise StoreError("an in-memory database cannot be copied from or to; name a file.")
        self.db = connect(path, 30.0)

    def tables(self) -> dict[str, Table]:
        names = [
            row[0]
            for row in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {name: self._table(name) for name in names if name not in BOOKKEEPING}

    def _table(self, name: str) -> Table:
        info = self.db.execute(f'PRAGMA table_xinfo("{name}")').fetchall()
        # table_xinfo: cid, name, type, notnull, default, pk (position in the key), hidden (2, 3: generated)
        columns = tuple(Column(row[1], str(row[2]).lower(), generated=row[6] in (2, 3)) for row in info)
        key = tuple(row[1] for row in sorted((row for row in info if row[5]), key=lambda row: row[5]))
        return Table(name, columns, key)

    def read(self, table: Table, columns: Sequence[str], after: Row | None, limit: int) -> list[Row]:
        where, params = (
            ("", []) if after is None else (f"WHERE {_row(table.key)} > ({_marks('?', after)})", after)
        )
        return self.db.execute(
            f'SELECT {_names(columns)} FROM "{table.name}" {where} '
            f"ORDER BY {_names(table.key)} LIMIT {limit}",
            list(params),
        ).fetchall()

    def write(self, table: Table, columns: Sequence[str], rows: Sequence[Row]) -> None:
        statement = (
            f'INSERT INTO "{table.name}" ({_names(columns)}) VALUES ({_marks("?", columns)}) '
            f"ON CONFLICT ({_names(table.key)}) {_on_conflict(table, columns)}"
        )
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany(statement, rows)
            self.db.execute("COMMIT")
        finally:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")

    def last_key(self, table: Table) -> Row | None:
        order = ", ".join(f'"{name}" DESC' for name in table.key)
        row = self.db.execute(
            f'SELECT {_names(table.key)} FROM "{table.name}" ORDER BY {order} LIMIT 1'
        ).fetchone()
        return None if row is None else tuple(row)

    def close(self) -> None:
        self.db.close()


class PostgresEnd(Endpoint):
    def __init__(self, url: str) -> None:
        connections = PostgresConnections(url)
        self.where = connections.where
        with self.translated():
            self.db = psycopg.connect(connections.conninfo, autocommit=True)
        self.db.adapters.register_loader("json", TextLoader)  # JSON as its text, exactly as stored
        self.db.adapters.register_loader("jsonb", TextLoader)

    @contextmanager
    def translated(self) -> Iterator[None]:
        try:
            yield
        except psycopg.Error as exc:
            message = " ".join(str(exc).split())
            raise StoreError(f"the database {self.where} failed during the copy: {message}") from exc

    def tables(self) -> dict[str, Table]:
        with self.translated():
            names = [
                row[0]
                for row in self.db.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
                )
            ]
            return {name: self._table(name) for name in names if name not in BOOKKEEPING}

    def _table(self, name: str) -> Table:
        rows = self.db.execute(
            "SELECT attname, format_type(atttypid, atttypmod), attidentity <> '', attgenerated <> '' "
            "FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
            "ORDER BY attnum",
            (f'"{name}"',),
        ).fetchall()
        columns = tuple(Column(row[0], row[1], generated=row[2] or row[3], identity=row[2]) for row in rows)
        key = self.db.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY (i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary "
            "ORDER BY array_position(i.indkey::int2[], a.attnum)",
            (f'"{name}"',),
        ).fetchall()
        return Table(name, columns, tuple(row[0] for row in key))

    def _ordered(self, table: Table) -> list[str]:
        """The key's columns in byte order (``COLLATE "C"`` for text), the order SQLite keeps."""
        return [f'"{name}" COLLATE "C"' if _is_text(table, name) else f'"{name}"' for name in table.key]

    def read(self, table: Table, columns: Sequence[str], after: Row | None, limit: int) -> list[Row]:
        keys = self._ordered(table)
        where = "" if after is None else f"WHERE ({', '.join(keys)}) > ({_marks('%s', after)})"
        statement = (
            f'SELECT {_names(columns)} FROM "{table.name}" {where} ORDER BY {", ".join(keys)} LIMIT {limit}'
        )
        with self.translated():
            return self.db.execute(statement, list(after or ())).fetchall()

    def write(self, table: Table, columns: Sequence[str], rows: Sequence[Row]) -> None:
        types = [self._type(table, name) for name in columns]
        arrays = ", ".join(f"%s::{kind}[]" for kind in types)
        overriding = any(c.identity for c in table.columns if c.name in columns)
        statement = (
            f'INSERT INTO "{table.name}" ({_names(columns)}) '
            f"{'OVERRIDING SYSTEM VALUE ' if overriding else ''}"
            f"SELECT * FROM unnest({arrays}) ON CONFLICT ({_names(table.key)}) {_on_conflict(table, columns)}"
        )
        values = [
            [None if value is None else bool(value) for value in column]
            if kind == "boolean"
            else list(column)
            for kind, column in zip(types, zip(*rows, strict=True), strict=True)
        ]
        with self.translated(), self.db.transaction():
            self.db.execute(statement, values)

    def _type(self, table: Table, name: str) -> str:
        column = table.column(name)
        assert column is not None
        return column.type

    def last_key(self, table: Table) -> Row | None:
        order = ", ".join(f"{key} DESC" for key in self._ordered(table))
        with self.translated():
            row = self.db.execute(
                f'SELECT {_names(table.key)} FROM "{table.name}" ORDER BY {order} LIMIT 1'
            ).fetchone()
        return None if row is None else tuple(row)

    def finish(self, table: Table) -> None:
        for column in table.columns:
            if column.identity:
                with self.translated():
                    self.db.execute(
                        f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                        f'coalesce((SELECT max("{column.name}") FROM "{table.name}"), 0) + 1, false)',
                        (f'"{table.name}"', column.name),
                    )

    def close(self) -> None:
        self.db.close()


def open_end(url: str) -> Endpoint:
    """The end that ``url`` names (its store must exist; ``open_store`` creates and upgrades it)."""
    scheme, _, location = url.partition("://")
    if scheme.lower() in ("postgresql", "postgres"):
        return PostgresEnd(url)
    return SqliteEnd(location)


def _is_text(table: Table, name: str) -> bool:
    column = table.column(name)
    return column is not None and column.type in ("text", "character varying")


def _names(columns: Sequence[str]) -> str:
    return ", ".join(f'"{name}"' for name in columns)


def _row(columns: Sequence[str]) -> str:
    return f"({_names(columns)})"


def _marks(mark: str, values: Sequence[object]) -> str:
    return ", ".join(mark for _ in values)


def _on_conflict(table: Table, columns: Sequence[str]) -> str:
    rest = [name for name in columns if name not in table.key]
    if not rest:
        return "DO NOTHING"
    return "DO UPDATE SET " + ", ".join(f'"{name}" = excluded."{name}"' for name in rest)
