"""Copy one store into another (SQLite to PostgreSQL and back): ``voice data copy SOURCE TARGET``.

    report = copy_store("sqlite:///var/lib/voice/sessions.db", "postgresql://voice@db.internal/voice")
    assert report.ok

Every table of the source's schema is copied: sessions, users, the conversation log, the replies
to platform requests, the handoff outbox (pending and delivered), and whatever table a later schema
version adds, since the tables and their columns are read from the databases themselves
(``voice.store.copy_tables``). Each table goes in batches in primary-key order (the log by its
``seq``, so its order is kept), each batch one transaction that inserts or replaces by key.

**Resumable.** A copy that was interrupted (killed, a lost connection) is run again with the same
command: each table continues after the greatest key the target already holds, and a batch written
twice is stored once. ``restart=True`` copies everything again, still without duplicates.

**Verified.** At the end every table is counted and checksummed on both sides (a sum of a hash of
each row, so the order of reading does not matter); values that the two databases spell
differently are compared by meaning: booleans as 0/1, ``jsonb`` (PostgreSQL's user attributes,
which reorders keys) as canonical JSON. Run it with the application stopped: rows written during
the copy may be missed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .base import StoreError
from .copy_tables import Endpoint, Row, Table, open_end
from .url import open_store

__all__ = ["BATCH_ROWS", "CopyReport", "TableResult", "Tally", "copy_store"]

BATCH_ROWS = 2000
"""Rows per batch (one transaction in the target, and the most a resumed copy writes again)."""

Progress = Callable[[str, int], None]
"""Told the table's name and the rows copied of it so far, after each batch."""
Normalize = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Tally:
    """A table's row count and checksum (16 hex digits) over the copied columns."""

    rows: int
    checksum: str


@dataclass(frozen=True, slots=True)
class TableResult:
    table: str
    copied: int
    """Rows written by this run (a resumed run writes only what was left)."""
    source: Tally
    target: Tally

    @property
    def ok(self) -> bool:
        return self.source == self.target


@dataclass(frozen=True, slots=True)
class CopyReport:
    tables: tuple[TableResult, ...]
    complete: bool
    """False when the run stopped early (``stop_after``); nothing was verified then."""

    @property
    def ok(self) -> bool:
        return self.complete and all(result.ok for result in self.tables)


@dataclass(frozen=True, slots=True)
class _Plan:
    """How one table is copied: its description on each side, the columns, how values compare."""

    source: Table
    target: Table
    columns: tuple[str, ...]
    normalize: tuple[Normalize, ...]

    @property
    def key_positions(self) -> tuple[int, ...]:
        return tuple(self.columns.index(name) for name in self.source.key)


def copy_store(
    source_url: str,
    target_url: str,
    *,
    batch_rows: int = BATCH_ROWS,
    restart: bool = False,
    stop_after: int | None = None,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy every table of the store at ``source_url`` into the one at ``target_url`` (created or
    upgraded to this program's schema first), then count and checksum both.

    ``stop_after`` stops after that many batches, as an interruption would (for tests).
    """
    if source_url == target_url:
        raise StoreError("the source and the target of the copy are the same store; name two stores.")
    for url in (source_url, target_url):
        open_store(url).close()  # creates the tables, or applies the pending schema versions
    source, target = open_end(source_url), open_end(target_url)
    try:
        plans = _plans(source.tables(), target.tables())
        batches = _Budget(stop_after)
        copied: dict[str, int] = {}
        for plan in plans:
            copied[plan.source.name] = _copy_table(
                source, target, plan, batch_rows, restart, batches, progress
            )
            if batches.spent:
                return CopyReport((), complete=False)
        results = tuple(
            TableResult(
                plan.source.name,
                copied[plan.source.name],
                _tally(source, plan.source, plan, batch_rows),
                _tally(target, plan.target, plan, batch_rows),
            )
            for plan in plans
        )
        return CopyReport(results, complete=True)
    finally:
        source.close()
        target.close()


class _Budget:
    """The batches a run may still write (None: any number); the test hook for an interrupted copy."""

    def __init__(self, batches: int | None) -> None:
        self.left = batches
        self.spent = False

    def take(self) -> bool:
        if self.left is None:
            return True
        if self.left <= 0:
            self.spent = True
            return False
        self.left -= 1
        return True


def _copy_table(
    source: Endpoint,
    target: Endpoint,
    plan: _Plan,
    batch_rows: int,
    restart: bool,
    batches: _Budget,
    progress: Progress | None,
) -> int:
    """Copy one table in key order after what the target holds; the rows written."""
    after = None if restart else target.last_key(plan.target)
    copied = 0
    while True:
        rows = source.read(plan.source, plan.columns, after, batch_rows)
        if rows:
            if not batches.take():
                return copied
            target.write(plan.target, plan.columns, rows)
            copied += len(rows)
            after = tuple(rows[-1][position] for position in plan.key_positions)
            if progress is not None:
                progress(plan.source.name, copied)
        if len(rows) < batch_rows:
            target.finish(plan.target)
            return copied


def _plans(sources: dict[str, Table], targets: dict[str, Table]) -> list[_Plan]:
    plans = []
    for name, table in sources.items():
        target = targets.get(name)
        if target is None:
            raise StoreError(
                f"the target store has no table {name}: it has an older schema; upgrade it first "
                "(voice data migrate with this version of voice-skills)."
            )
        plans.append(_plan(table, target))
    return plans


def _plan(source: Table, target: Table) -> _Plan:
    """The columns both sides have (the target's own generated ones left to it), and how they compare."""
    columns: list[str] = []
    normalize: list[Normalize] = []
    for column in source.columns:
        found = target.column(column.name)
        if found is None and not column.generated:
            raise StoreError(
                f"the target's table {source.name} has no column {column.name}: it has an older schema; "
                "upgrade it first (voice data migrate with this version of voice-skills)."
            )
        if found is None or (found.generated and not found.identity):
            continue  # numbered or computed by the database that holds it
        columns.append(column.name)
        normalize.append(_normalizer({column.type, found.type}))
    if not source.key or any(name not in columns for name in source.key):
        raise StoreError(
            f"the table {source.name} has no primary key both stores share; it cannot be copied."
        )
    return _Plan(source, target, tuple(columns), tuple(normalize))


def _normalizer(types: set[str]) -> Normalize:
    """How a column's values are compared when the two databases spell them differently."""
    if "jsonb" in types:
        return _canonical_json
    if "boolean" in types:
        return _as_int
    return _same


def _canonical_json(value: Any) -> Any:
    if value is None:
        return None
    return json.dumps(json.loads(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _as_int(value: Any) -> Any:
    return None if value is None else int(value)


def _same(value: Any) -> Any:
    return value


def _tally(end: Endpoint, table: Table, plan: _Plan, batch_rows: int) -> Tally:
    """Count the rows of ``table`` and add up a 64-bit hash of each (normalised) row."""
    count = total = 0
    for rows in _batches(end, table, plan.columns, plan.key_positions, batch_rows):
        for row in rows:
            values = tuple(normalize(value) for normalize, value in zip(plan.normalize, row, strict=True))
            digest = hashlib.blake2b(repr(values).encode(), digest_size=8).digest()
            total = (total + int.from_bytes(digest)) % (1 << 64)
            count += 1
    return Tally(count, f"{total:016x}")


def _batches(
    end: Endpoint, table: Table, columns: Sequence[str], key_positions: Sequence[int], batch_rows: int
) -> Iterator[list[Row]]:
    after: Row | None = None
    while True:
        rows = end.read(table, columns, after, batch_rows)
        if rows:
            yield rows
            after = tuple(rows[-1][position] for position in key_positions)
        if len(rows) < batch_rows:
            return
