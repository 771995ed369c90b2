"""A big SQLite store, written in bulk, for the copy tests and bench (``voice data copy``).

    fill_sqlite(path, turns=100_000)

``turns / 10`` sessions of ten turns each (history and log), one user per two sessions, a reply to
every user turn, and a handoff in the outbox of every twentieth session (half of them delivered).
Values are chosen to catch what a copy can get wrong: accents, quotes and emoji in text, user
attributes whose keys are not in order (PostgreSQL's jsonb reorders them), missing confidences,
both booleans, floats with every digit.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from voice.store import open_store
from voice.store.sqlite_rows import LOG_COLUMNS, SESSION_COLUMNS

START = 1_700_000_000.0
TEXTS = ("een afspraak morgen om half drie", "café ’t Hoekje, 'quoted' \"twice\"", "yes 👍", "")


def fill_sqlite(path: Path, turns: int) -> dict[str, int]:
    """Create the store at ``path`` and fill it; the rows written per table."""
    open_store(f"sqlite:///{path}").close()
    sessions = [_session(n) for n in range(turns // 10)]
    log = [row for n in range(turns // 10) for row in _log(n)]
    users = [(f"user-{n}", _attributes(n), START + n) for n in range(0, len(sessions), 2)]
    answers = [
        (f"request-{n}-{k}", f"session-{n}", json.dumps({"speech": f"antwoord {k}", "end": False}), START + k)
        for n in range(len(sessions))
        for k in range(5)
    ]
    outbox = [_handoff(n) for n in range(0, len(sessions), 20)]
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("BEGIN")
        db.executemany(_insert("sessions", SESSION_COLUMNS), sessions)
        db.executemany(_insert("log", LOG_COLUMNS), log)
        db.executemany(_insert("users", ("id", "attributes", "updated_at")), users)
        db.executemany(_insert("answers", ("request_id", "session_id", "reply", "time")), answers)
        columns = ("id", "kind", "payload", "created_at", "attempts", "next_at", "delivered_at", "last_error")
        db.executemany(_insert("outbox", columns), outbox)
        db.execute("COMMIT")
    return {
        "sessions": len(sessions),
        "log": len(log),
        "users": len(users),
        "answers": len(answers),
        "outbox": len(outbox),
    }


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _turn(n: int, k: int) -> dict[str, Any]:
    user = k % 2 == 0
    return {
        "time": START + n + k / 3,
        "speaker": "user" if user else "assistant",
        "text": TEXTS[(n + k) % len(TEXTS)],
        "intent": "BookAppointment" if user else "",
        "slots": {"date": "2025-05-02", "party": k} if user else {},
        "confidence": (0.1 + k / 7) if user and n % 3 else None,
    }


def _session(n: int) -> tuple[Any, ...]:
    history = [_turn(n, k) for k in range(10)]
    attributes = {"z": n, "a": [1, 2.5, None], "naam": "Anneke"}
    return (
        f"session-{n}",
        f"user-{n - n % 2}",
        "customer_service",
        "nl" if n % 2 else "en",
        "alexa" if n % 3 else "dialogflow",
        json.dumps(attributes, ensure_ascii=False),
        json.dumps({"fallbacks": n % 3}),
        json.dumps(history, ensure_ascii=False),
        START + n,
        START + n + 3.3,
        START + n + 1803.3,
        1800.0,
        n % 5 == 0,
        n % 7 == 0,
        10 + n % 4,
    )


def _log(n: int) -> list[tuple[Any, ...]]:
    rows = []
    for k, turn in enumerate(_turn(n, k) for k in range(10)):
        rows.append(
            (
                f"session-{n}",
                f"user-{n - n % 2}",
                turn["time"],
                turn["speaker"],
                turn["text"],
                turn["intent"],
                turn["confidence"],
                "customer_service",
                "nl" if n % 2 else "en",
                "alexa",
                int(n % 5 == 0 and k > 5),
            )
        )
    return rows


def _attributes(n: int) -> str:
    return json.dumps({"zeta": n, "alpha": {"y": True, "b": "ü"}, "list": [3, 2, 1]}, ensure_ascii=False)


def _handoff(n: int) -> tuple[Any, ...]:
    payload = {
        "id": f"handoff-{n}",
        "user_id": f"user-{n - n % 2}",
        "session_id": f"session-{n}",
        "reason": "asked",
    }
    delivered = START + n + 60 if n % 40 == 0 else None
    return (f"handoff-{n}", "handoff", json.dumps(payload), START + n, n % 3, START + n + 30, delivered, "")
