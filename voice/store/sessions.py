"""``Store``: the session lifecycle on top of a database's ``Storage``.

Starting, updating and recording a turn each load the session, change it and save it; a save that
conflicts with another worker's reloads and tries again (``DEFAULT_RETRIES`` times), so callers
never see a conflict that a second try resolves.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence

from .base import Answer, ConflictError, Storage, StoreError
from .records import DEFAULT_TTL, LogEntry, OutboxItem, Session, TurnRecord, TurnStart
from .signals import TurnSignals

DEFAULT_RETRIES = 10
"""Conflicts ``Store.update`` absorbs before it gives up; each retry reloads the session."""


class Store(Storage):
    """Sessions, users and the conversation log: a database's ``Storage`` and the session lifecycle
    built on it; every store (``SqliteStore``, ``PostgresStore``) subclasses it."""

    def start(
        self,
        session_id: str,
        *,
        user_id: str,
        skill: str,
        locale: str,
        channel: str,
        ttl: float = DEFAULT_TTL,
    ) -> Session:
        """Save a new session; ``ConflictError`` if a live session with this id exists."""
        fresh = Session.new(
            id=session_id,
            user_id=user_id,
            skill=skill,
            locale=locale,
            channel=channel,
            now=self.clock(),
            ttl=ttl,
        )
        return self.save(fresh)

    def load_or_start(
        self,
        session_id: str,
        *,
        user_id: str,
        skill: str,
        locale: str,
        channel: str,
        ttl: float = DEFAULT_TTL,
    ) -> Session:
        """The live session with this id, or a new one when it is absent, ended or expired."""
        for _ in range(DEFAULT_RETRIES):
            current = self.load(session_id)
            if current is not None and not current.ended:
                return current
            try:
                return self.start(
                    session_id, user_id=user_id, skill=skill, locale=locale, channel=channel, ttl=ttl
                )
            except ConflictError:
                continue  # another worker started it first: use theirs
        raise ConflictError(f"session {session_id} kept changing while it was started; try the turn again.")

    def load_turn(self, session_id: str, user_id: str, request_id: str = "") -> TurnStart:
        """``load(session_id)``, ``get_user(user_id)`` (empty for an empty id) and
        ``answered(request_id, session_id)`` (None for an empty id); a store may read them at once.

        A turn starts from this: when there is no live session it works on an unsaved
        ``Session.new`` (version 0), which its one save stores; if another worker started the
        session in between, that save conflicts (the dialog holds the session for its turn, so this
        only happens when something else wrote it).
        """
        return TurnStart(
            self.load(session_id),
            self.get_user(user_id) if user_id else {},
            self.answered(request_id, session_id) if request_id else None,
        )

    def update(
        self,
        session_id: str,
        change: Callable[[Session], Session],
        *,
        retries: int = DEFAULT_RETRIES,
        overrun: TurnSignals | None = None,
        answer: Answer | None = None,
        heard: TurnRecord | None = None,
    ) -> Session:
        """Load the session, apply ``change`` and save (with ``overrun``, ``answer`` and ``heard``, see
        ``save``), reloading and reapplying on conflict.

        ``change`` may run more than once, so it must be a pure function of the session.
        """
        return self._retry(
            session_id,
            lambda session: self.save(change(session), overrun=overrun, answer=answer, heard=heard),
            retries,
        )

    def record_turn(self, session_id: str, turn: TurnRecord, *, retries: int = DEFAULT_RETRIES) -> Session:
        """Append ``turn`` to the session's history and to the conversation log in one transaction."""
        return self.record_exchange(session_id, (turn,), retries=retries)

    def record_exchange(
        self,
        session_id: str,
        turns: Sequence[TurnRecord],
        change: Callable[[Session], Session] | None = None,
        *,
        retries: int = DEFAULT_RETRIES,
        loaded: Session | None = None,
        answer: Answer | None = None,
        outbox: Sequence[OutboxItem] = (),
        signals: Sequence[TurnSignals] = (),
    ) -> Session:
        """Append ``turns`` to history and log and apply ``change`` (a pure function), in one transaction.

        ``loaded`` is the session as the caller read it this turn, which saves reading it again; if
        another worker changed it since, the save conflicts and the fresh session is used instead.
        ``answer``, ``outbox`` and ``signals`` are saved with them (see ``save``).
        """

        def attempt(session: Session) -> Session:
            changed = session.with_turns(turns)
            if change is not None:
                changed = change(changed)
            log = tuple(LogEntry.from_turn(changed, turn) for turn in turns)
            return self.save(changed, log=log, answer=answer, outbox=outbox, signals=signals)

        return self._retry(session_id, attempt, retries, loaded)

    def end(self, session_id: str) -> Session:
        """Mark the session as ended and return it."""
        return self.update(session_id, Session.ended_now)

    def _retry(
        self,
        session_id: str,
        attempt: Callable[[Session], Session],
        retries: int,
        loaded: Session | None = None,
    ) -> Session:
        """Run ``attempt`` on the loaded session (``loaded`` first) until it saves without a conflict."""
        for tries in range(retries + 1):
            session = loaded if tries == 0 and loaded is not None else self.load(session_id)
            if session is None:
                raise StoreError(f"there is no live session {session_id}; start it with load_or_start first.")
            try:
                return attempt(session)
            except ConflictError:
                # Random back-off so that workers that collided do not collide again in lockstep.
                time.sleep(random.uniform(0, 0.002 * (tries + 1)))
        raise ConflictError(
            f"session {session_id} was changed by other workers {retries + 1} times in a row; "
            "try the turn again."
        )
