"""What every database behind the session store implements, and the words its callers share.

``Storage`` is the interface one subclass per database fills in: load and save a session, the
outbox, users, the conversation log, access and erasure requests, raw SQL for the analytics, and the
purges built on it. ``voice.store.sessions.Store`` adds the session lifecycle on top (start, update,
record a turn), retrying on conflicts.

Saving is optimistic: each stored session carries a ``version``, and a save that started from
an older version raises ``ConflictError`` instead of silently overwriting another worker's turn.

    VoiceError (voice.errors)
     +-- StoreError             the database cannot be opened, read or written (HTTP 503)
          +-- ConflictError     another worker saved the session first (HTTP 409)
          +-- BusyError         another turn held the session, or the database, too long

Times are seconds since the epoch (UTC), as a ``clock`` callable such as ``time.time`` gives them,
so a test can move time forward without sleeping.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, Self

from voice.errors import VoiceError

from .records import JsonDict, LogEntry, OutboxItem, Session, TurnRecord
from .signals import SIGNAL_COLUMNS, TurnSignals, signal_record

Clock = Callable[[], float]
"""Returns the current time in seconds since the epoch."""

PURGE_BATCH_ROWS = 2000
"""Rows deleted per transaction by the purges; each batch holds the database for a few milliseconds."""


def batch_delete(table: str, key: str, column: str, *, inclusive: bool, limit: int) -> str:
    """One purge batch: the first ``limit`` rows of ``table`` whose ``column`` is before the cutoff;
    ``key`` is the primary key's columns (``"session_id, request_id"``)."""
    condition = f"{column} {'<=' if inclusive else '<'} ?"
    return f"DELETE FROM {table} WHERE ({key}) IN (SELECT {key} FROM {table} WHERE {condition} LIMIT {limit})"


def unseen_users(limit: int) -> str:
    """One purge batch of the attributes remembered (a name, a booking) about users not seen since the
    cutoff: not remembered anew, no session saved and no turn logged since; a caller who keeps calling
    keeps them."""
    return (
        "DELETE FROM users WHERE id IN (SELECT id FROM users WHERE updated_at < ? AND NOT EXISTS "
        "(SELECT 1 FROM sessions WHERE sessions.user_id = users.id AND sessions.updated_at >= ?) "
        f"AND NOT EXISTS (SELECT 1 FROM log WHERE log.user_id = users.id AND log.time >= ?) LIMIT {limit})"
    )


from_json = json.JSONDecoder().decode
"""A stored JSON text as Python values (both stores keep JSON as text)."""


class StoreError(VoiceError):
    """The session database cannot be opened, read or written."""

    http_status = 503


class ConflictError(StoreError):
    """Another worker saved the session after it was loaded; load it again and reapply the change."""

    http_status = 409


class BusyError(StoreError):
    """Another turn of the session, or another writer of the database, held it longer than this turn
    could wait; nothing was written, so the same write may be tried again."""


REQUEST_MEMORY_S = 86400.0
"""How long the reply to a platform request is kept, to answer a repeat of it without a second turn."""

Answer = tuple[str, JsonDict]
"""A platform request id and the reply given to it (``Reply.to_dict()``)."""


class Storage(ABC):
    """Where sessions, user attributes and the conversation log live; one subclass per database
    (through ``Store``, which every store subclasses)."""

    def __init__(self, *, clock: Clock = time.time) -> None:
        self.clock = clock
        self.closed = False
        """Set by ``close``: background threads (the outbox sender) stop when they see it."""

    @abstractmethod
    def load(self, session_id: str) -> Session | None:
        """The stored session, or None when there is none or it has expired."""

    @abstractmethod
    def lock_session(self, session_id: str, timeout: float) -> AbstractContextManager[None]:
        """Hold the session for one turn: another turn of it, in any thread or worker process, waits.

        ``BusyError`` when it stays taken for ``timeout`` seconds (0: it is tried once, without a wait;
        the dialog tries before it lets a turn wait). Turns of other sessions never wait.
        """

    def answered(self, request_id: str, session_id: str) -> JsonDict | None:
        """The reply saved with platform request ``request_id`` of ``session_id`` (``Store.save``'s
        ``answer``), or None. Another session presenting the same id gets nothing."""
        rows = self.select(
            "SELECT reply FROM answers WHERE request_id = ? AND session_id = ?", (request_id, session_id)
        )
        return dict(from_json(rows[0][0])) if rows else None

    @abstractmethod
    def save(
        self,
        session: Session,
        *,
        log: Iterable[LogEntry] = (),
        answer: Answer | None = None,
        outbox: Iterable[OutboxItem] = (),
        signals: Iterable[TurnSignals] = (),
        overrun: TurnSignals | None = None,
        heard: TurnRecord | None = None,
    ) -> Session:
        """Store ``session``, ``log``, ``answer`` (a platform request id and its reply, kept
        ``REQUEST_MEMORY_S``; it replaces one kept for the request), ``outbox`` items and the turn's
        ``signals`` (a ``signals`` row each and their ``rollup`` counts) in one transaction; return the
        session as stored.

        ``overrun`` is the signals of a turn of this session stored earlier whose caller turned out to
        have heard "one moment": its row (the session's latest at its time) is marked as a missed
        deadline and counted, in the same transaction; a row marked already is left as it is.
        ``heard`` is an assistant turn of this session stored earlier whose caller heard something else
        (``"one moment"``): its log row (the session's latest of the assistant at ``heard.time``) takes
        ``heard.text``, in the same transaction (its history is the session's: ``Session.with_heard``).

        The stored copy has the next version, ``updated_at`` now and ``expires_at`` one ``ttl``
        later. Raises ``ConflictError`` when another save happened since ``session`` was loaded;
        a session of version 0 may replace one that has ended or expired.
        """

    @abstractmethod
    def claim_outbox(self, now: float, *, limit: int, lease_s: float) -> tuple[OutboxItem, ...]:
        """Up to ``limit`` undelivered items that are due, oldest first, claimed for ``lease_s`` seconds:
        no other sender gets them until ``finish_outbox`` or the lease runs out (a sender that died)."""

    @abstractmethod
    def finish_outbox(self, item_id: str, *, delivered: bool, next_at: float = 0.0, error: str = "") -> None:
        """Record a delivery: done, or failed (one more attempt, due again at ``next_at``, ``error`` kept)."""

    @abstractmethod
    def outbox_counts(self) -> dict[str, int]:
        """``{"pending": ..., "delivered": ...}``: what the sender still has to do, and has done."""

    def in_outbox(self, item_id: str) -> bool:
        """Whether the outbox still holds ``item_id``: an erasure may take it while it is being delivered."""
        return bool(self.select("SELECT 1 FROM outbox WHERE id = ?", (item_id,)))

    @abstractmethod
    def get_user(self, user_id: str) -> JsonDict:
        """The attributes kept for a user across sessions; empty for an unknown user."""

    @abstractmethod
    def save_user(self, user_id: str, attributes: Mapping[str, Any]) -> None:
        """Replace the attributes kept for a user."""

    @abstractmethod
    def update_user(self, user_id: str, changes: Mapping[str, Any]) -> JsonDict:
        """Merge ``changes`` into a user's attributes in one transaction and return the result.

        Two sessions of one caller (a phone and a speaker) that remember different things at once
        both keep theirs; a read-then-``save_user`` would lose one.
        """

    @abstractmethod
    def log_turn(self, entry: LogEntry) -> None:
        """Append one row to the conversation log."""

    @abstractmethod
    def read_log(
        self, *, session_id: str | None = None, user_id: str | None = None, since: float = 0.0
    ) -> tuple[LogEntry, ...]:
        """Conversation log rows in the order they were written, optionally filtered."""

    def purge_expired(self, now: float | None = None) -> int:
        """Delete the sessions that expired before ``now`` (default: the clock), and the replies of
        requests and the delivered outbox items older than ``REQUEST_MEMORY_S``; return how many
        sessions went."""
        return self.purge_expired_rows(now)["sessions"]

    def purge_expired_rows(self, now: float | None = None) -> dict[str, int]:
        """``purge_expired``, returning how many rows went per table (``voice data purge`` tells them)."""
        cutoff = self.clock() if now is None else now
        memory = cutoff - REQUEST_MEMORY_S
        return {
            "answers": self._delete_in_batches(
                "answers", "session_id, request_id", "time", memory, inclusive=True
            ),
            "outbox": self._delete_in_batches("outbox", "id", "delivered_at", memory, inclusive=True),
            "sessions": self._delete_in_batches("sessions", "id", "expires_at", cutoff, inclusive=True),
        }

    def purge_log(self, retention_days: float, now: float | None = None) -> int:
        """Delete log rows, their signals and the reviews (which quote callers' words) older than
        ``retention_days`` (the daily counts stay), and the attributes remembered about users not seen
        for ``retention_days`` (personal data too); return how many log rows went."""
        return self.purge_log_rows(retention_days, now)["log"]

    def purge_log_rows(self, retention_days: float, now: float | None = None) -> dict[str, int]:
        """``purge_log``, returning how many rows went per table (``voice data purge`` tells them)."""
        cutoff = (self.clock() if now is None else now) - retention_days * 86400
        return {
            "reviews": self._delete_in_batches("reviews", "key", "time", cutoff, inclusive=False),
            "signals": self._delete_in_batches("signals", "seq", "time", cutoff, inclusive=False),
            "log": self._delete_in_batches("log", "seq", "time", cutoff, inclusive=False),
            "users": self._in_batches(unseen_users(PURGE_BATCH_ROWS), (cutoff,) * 3),
        }

    def _delete_in_batches(self, table: str, key: str, column: str, cutoff: float, *, inclusive: bool) -> int:
        """Delete the rows of ``table`` whose ``column`` is before ``cutoff`` (or at it, ``inclusive``);
        how many."""
        statement = batch_delete(table, key, column, inclusive=inclusive, limit=PURGE_BATCH_ROWS)
        return self._in_batches(statement, (cutoff,))

    def _in_batches(self, statement: str, params: Sequence[Any]) -> int:
        """Run a purge batch (``PURGE_BATCH_ROWS`` rows at most) until it finds fewer, one transaction
        each so turns get the database in between; how many rows went."""
        deleted = 0
        while True:
            found = self.execute(statement, params)
            deleted += found
            if found < PURGE_BATCH_ROWS:
                return deleted

    @abstractmethod
    def sessions_of(self, user_id: str) -> tuple[Session, ...]:
        """Every stored session of a user, expired ones included, oldest first (for access requests)."""

    @abstractmethod
    def outbox_of(self, user_id: str) -> tuple[OutboxItem, ...]:
        """The outbox items (pending and delivered) whose payload names ``user_id`` as its ``user_id``,
        oldest first (for access requests)."""

    def user_updated_at(self, user_id: str) -> float | None:
        """When the user's attributes were last remembered (epoch seconds), or None without any: the
        retention of the attributes counts from it (``unseen_users``), so an access request shows it."""
        rows = self.select("SELECT updated_at FROM users WHERE id = ?", (user_id,))
        return float(rows[0][0]) if rows else None

    def signals_of(self, user_id: str) -> tuple[JsonDict, ...]:
        """The signals of the user's turns (their words when not understood, irritation, satisfaction,
        outcome), oldest first (for access requests)."""
        columns = ", ".join(SIGNAL_COLUMNS)
        rows = self.select(f"SELECT {columns} FROM signals WHERE user_id = ? ORDER BY seq", (user_id,))
        return tuple(signal_record(row) for row in rows)

    @abstractmethod
    def answers_of(self, user_id: str) -> tuple[Answer, ...]:
        """The replies kept for the platform requests of the user's sessions, oldest first."""

    @abstractmethod
    def delete_user(self, user_id: str) -> int:
        """Erase a user's sessions, attributes, log rows and the signals of their turns, the replies to
        their platform requests and their outbox items (GDPR); return how many records went."""

    @abstractmethod
    def select(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of one read-only SQL statement, written with ``?`` placeholders (``voice.analytics``
        reads the ``signals``, ``rollup``, ``log`` and ``reviews`` tables with it)."""

    @abstractmethod
    def execute(self, statement: str, params: Sequence[Any] = ()) -> int:
        """Run one writing SQL statement (``?`` placeholders) in its own transaction; the rows it changed."""

    def check(self) -> list[str]:
        """The database's own consistency check (``voice data check``): the problems it finds, or none."""
        return []

    def release_connection(self) -> None:  # noqa: B027 - a store without per-thread connections has none
        """Give back the calling thread's connection (a thread that is about to end calls this)."""

    @abstractmethod
    def close(self) -> None:
        """Release the database connections; the store cannot be used afterwards."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
