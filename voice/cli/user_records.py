"""What ``voice data export`` gives a caller who asks for their data (GDPR): every record the store
keeps of them, as JSON-ready values, their times in ISO 8601 in the business time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from ..analytics.review import reviews_of
from ..store import Store

__all__ = ["user_data"]


def user_data(store: Store, user_id: str, zone: dt.tzinfo = dt.UTC) -> dict[str, Any]:
    """The records of one user, as JSON-ready values; their times in ISO 8601 in ``zone`` (the caller
    who asked for them reads "2026-11-29T10:28:55+01:00", not seconds since 1970)."""
    return {
        "user_id": user_id,
        "attributes": store.get_user(user_id),
        "attributes_updated_at": _iso(store.user_updated_at(user_id), zone),
        "sessions": [_session_record(session.to_dict(), zone) for session in store.sessions_of(user_id)],
        "log": [
            _dated(asdict(entry) | {"speaker": entry.speaker.value}, ("time",), zone)
            for entry in store.read_log(user_id=user_id)
        ],
        "replies": [
            {"request_id": request_id, "reply": reply} for request_id, reply in store.answers_of(user_id)
        ],
        "outbox": [_dated(asdict(item), ("created_at",), zone) for item in store.outbox_of(user_id)],
        "signals": [_dated(signal, ("time",), zone) for signal in store.signals_of(user_id)],
        "reviews": [_dated(review, ("time",), zone) for review in reviews_of(store, user_id)],
    }


def _session_record(session: dict[str, Any], zone: dt.tzinfo) -> dict[str, Any]:
    """A session's dict with its times, and those of its history's turns, in ISO 8601 (``ttl`` is a
    duration and stays in seconds)."""
    history = [_dated(turn, ("time",), zone) for turn in session["history"]]
    return _dated(session, ("created_at", "updated_at", "expires_at"), zone) | {"history": history}


def _dated(record: dict[str, Any], keys: tuple[str, ...], zone: dt.tzinfo) -> dict[str, Any]:
    """``record`` with the epoch seconds under ``keys`` written as ISO 8601 with the offset of ``zone``."""
    return record | {key: _iso(record[key], zone) for key in keys}


def _iso(seconds: float | None, zone: dt.tzinfo) -> str | None:
    """Epoch seconds as ISO 8601 with the offset of ``zone``; None stays None (nothing remembered)."""
    return None if seconds is None else dt.datetime.fromtimestamp(seconds, zone).isoformat()
