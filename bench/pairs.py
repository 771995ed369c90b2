"""Issue 12's concurrency checks through the real gunicorn: requests of one caller that arrive at once.

- ``duplicate_pairs``: the booking's confirming "yes" sent twice at the same moment with the same
  platform request id (a retry, a double tap): one booking at the API, both copies answered alike.
- ``different_answers``: two different names given at once to "what is your name": the stored
  state must hold the name the last reply (in commit order) asked about, and both answers are kept.
- ``fallback_pairs``: two misunderstood turns at once count as two fallbacks; the third hands over.

Each runs ``n`` sessions at once, every session on its own threads (Dialogflow requests whose words
the router matches, as with an agent that falls back to the webhook).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from loadkit import Caller, Gunicorn, Heard, Stub, run_all

from voice.store import Store

NAMES = ("anna", "piet", "maria", "jan", "sofie", "daan")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DIALOGFLOW_SESSION = "projects/bench/agent/sessions/{}"


def booking_day(today: dt.date | None = None) -> str:
    """A weekday name 2-6 days ahead on which the shop is open (not Sunday)."""
    today = today or dt.datetime.now(dt.UTC).date()
    for offset in range(2, 7):
        day = today + dt.timedelta(days=offset)
        if day.weekday() != 6:
            return WEEKDAYS[day.weekday()]
    raise AssertionError("no open day ahead")


def to_confirmation(caller: Caller, day: str, name: str) -> bool:
    """Talk a booking up to "Shall I book it?"; False when an answer was not the expected one."""
    script = (
        (f"book an appointment on {day} at 2 pm", "what is your name"),
        (f"my name is {name}", "Did I get your name right"),
        ("yes", "What is the appointment about"),
        ("advice", "Shall I book it?"),
    )
    return all(expected in caller.say(text).text for text, expected in script)


def at_once(*calls: Callable[[], Heard]) -> list[Heard]:
    """Run the calls on their own threads, released at the same moment; their answers in order."""
    barrier = threading.Barrier(len(calls))
    heard: list[Heard] = [Heard(0, "", 0.0)] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        heard[index] = calls[index]()

    run_all([threading.Thread(target=run, args=(k,)) for k in range(len(calls))])
    return heard


def in_sessions(n: int, session: Callable[[int], dict[str, int]]) -> dict[str, int]:
    """Run ``session(i)`` for i in range(n), all at once; the sum of their counts."""
    counts: list[dict[str, int]] = [{} for _ in range(n)]

    def run(index: int) -> None:
        counts[index] = session(index)

    run_all([threading.Thread(target=run, args=(i,)) for i in range(n)])
    total: dict[str, int] = {}
    for found in counts:
        for key, value in found.items():
            total[key] = total.get(key, 0) + value
    return total


def duplicate_pairs(server: Gunicorn, stub: Stub, n: int, day: str) -> dict[str, Any]:
    """The final "yes" twice at once, one request id: bookings made, pairs answered alike."""
    before = len(stub.bookings)

    def session(index: int) -> dict[str, int]:
        caller = Caller(server.port)
        if not to_confirmation(caller, day, NAMES[index % len(NAMES)]):
            return {"setup_failed": 1}
        request_id = uuid.uuid4().hex
        first, second = at_once(lambda: caller.say("yes", request_id), lambda: caller.say("yes", request_id))
        both = first.status == second.status == 200 and "Done!" in first.text
        return {"pairs": 1, "answered_alike": int(both and first.text == second.text)}

    counts = in_sessions(n, session)
    bookings = len(stub.bookings) - before
    pairs = counts.get("pairs", 0)
    return {
        "pairs": pairs,
        "setup_failed": counts.get("setup_failed", 0),
        "bookings": bookings,
        "double_bookings": max(0, bookings - pairs),
        "missed_bookings": max(0, pairs - bookings),
        "lost_answers": pairs - counts.get("answered_alike", 0),
    }


def different_answers(server: Gunicorn, store: Store, n: int, day: str) -> dict[str, Any]:
    """Two names at once: the stored name is the one the last reply asked about; both turns are kept."""

    def session(index: int) -> dict[str, int]:
        caller = Caller(server.port)
        if "what is your name" not in caller.say(f"book an appointment on {day} at 2 pm").text:
            return {"setup_failed": 1}
        names = (NAMES[index % len(NAMES)], NAMES[(index + 1) % len(NAMES)])
        heard = at_once(*(lambda name=name: caller.say(f"my name is {name}") for name in names))
        return {"pairs": 1, **_stored_matches(store, caller.session, names, heard)}

    counts = in_sessions(n, session)
    pairs = counts.get("pairs", 0)
    return {
        "pairs": pairs,
        "setup_failed": counts.get("setup_failed", 0),
        "state_mismatches": pairs - counts.get("state_matches", 0),
        "lost_answers": pairs - counts.get("both_kept", 0),
    }


def _stored_matches(
    store: Store, session_id: str, names: tuple[str, str], heard: list[Heard]
) -> dict[str, int]:
    session = store.load(DIALOGFLOW_SESSION.format(session_id))
    if session is None or session.dialog.flow is None or session.dialog.last_reply is None:
        return {}
    last = session.dialog.last_reply.text
    slot = session.dialog.flow.slots.get("name")
    stored_name = slot.text if slot else ""
    answered = all(h.status == 200 and "Did I get your name right" in h.text for h in heard)
    return {
        "state_matches": int(
            stored_name in names and f": {stored_name.title()}?" in last and last in (h.text for h in heard)
        ),
        # Both turns are in the history (the words themselves may be redacted there): the booking's
        # first turn and the two names, each heard and answered.
        "both_kept": int(answered and len(session.history) == 6),
    }


def fallback_pairs(server: Gunicorn, stub: Stub, store: Store, n: int) -> dict[str, Any]:
    """Two misunderstood turns at once are two fallbacks; the third in a row hands over (once)."""

    sessions: set[str] = set()

    def session(index: int) -> dict[str, int]:
        caller = Caller(server.port)
        sessions.add(DIALOGFLOW_SESSION.format(caller.session))
        first, second = at_once(
            lambda: caller.say("the purple elephant sings"), lambda: caller.say("flibber flabber")
        )
        stored = store.load(DIALOGFLOW_SESSION.format(caller.session))
        counted = stored.dialog.fallbacks if stored else -1
        third = caller.say("quantum banana")
        sorry = all(h.status == 200 and h.text.startswith("Sorry, I didn't") for h in (first, second))
        handed = third.status == 200 and "put you through" in third.text
        return {"pairs": 1, "counted_two": int(sorry and counted == 2), "handed_over": int(handed)}

    counts = in_sessions(n, session)
    pairs = counts.get("pairs", 0)
    records = await_records(stub, sessions)
    return {
        "pairs": pairs,
        "miscounted": pairs - counts.get("counted_two", 0),
        "handed_over_at_third": counts.get("handed_over", 0),
        "handoff_records": records,
    }


def await_records(stub: Stub, sessions: set[str], wait_s: float = 30.0) -> int:
    """How many of ``sessions`` have their handoff record at the endpoint (waiting up to ``wait_s``)."""
    deadline = time.monotonic() + wait_s
    while True:
        found = len(stub.records_of(sessions))
        if found >= len(sessions) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)
