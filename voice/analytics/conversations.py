"""Conversations for people to read: the latest handoffs, a search of the log, one transcript."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..store import LogEntry, Store
from .period import Filters

__all__ = ["ConversationRow", "latest_handoffs", "search_conversations", "transcript"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ConversationRow:
    session_id: str
    time: float
    channel: str
    locale: str
    what: str
    """The reason of a handoff, or the words found by a search."""


def latest_handoffs(store: Store, filters: Filters, *, limit: int = 25) -> list[ConversationRow]:
    """The period's latest handed-over conversations, with their reasons (the ``signals_handoffs`` index)."""
    where, params = filters.where(day_column=None, time_column="time")
    rows = store.select(
        "SELECT session_id, time, channel, locale, handoff_reason FROM signals "
        f"WHERE handoff <> '' AND {where} ORDER BY time DESC LIMIT {int(limit)}",
        params,
    )
    return [ConversationRow(session_id=r[0], time=r[1], channel=r[2], locale=r[3], what=r[4]) for r in rows]


def search_conversations(
    store: Store, filters: Filters, words: str = "", *, limit: int = 50
) -> list[ConversationRow]:
    """The period's latest conversations, or those in which a caller said ``words`` (any case)."""
    where, params = filters.where(day_column=None, time_column="time")
    if words.strip():
        query = (
            "SELECT session_id, time, channel, locale, text FROM log "
            f"WHERE speaker = 'user' AND {where} AND lower(text) LIKE ? ORDER BY time DESC LIMIT {limit * 4}"
        )
        params.append(f"%{_escaped(words.strip().lower())}%")
    else:
        query = (
            "SELECT session_id, time, channel, locale, text FROM signals "
            f"WHERE {where} ORDER BY time DESC LIMIT {limit * 8}"
        )
    seen: dict[str, ConversationRow] = {}
    for session_id, time, channel, locale, text in store.select(query, params):
        if session_id not in seen:
            seen[session_id] = ConversationRow(
                session_id=session_id, time=time, channel=channel, locale=locale, what=text
            )
    return list(seen.values())[:limit]


def _escaped(words: str) -> str:
    """LIKE without wildcards of the caller's own (``%`` and ``_`` are matched as typed)."""
    return words.replace("%", "").replace("_", " ")


def transcript(store: Store, session_id: str) -> tuple[tuple[LogEntry, ...], dict[float, dict[str, Any]]]:
    """The conversation's log rows, and its turns' signals by time (how each was understood)."""
    entries = store.read_log(session_id=session_id)
    rows = store.select(
        "SELECT time, understood, intent, handoff_reason, latency_ms FROM signals "
        "WHERE session_id = ? ORDER BY seq",
        (session_id,),
    )
    signals = {
        row[0]: {"understood": row[1], "intent": row[2], "handoff": row[3], "latency_ms": row[4]}
        for row in rows
    }
    return entries, signals
