"""Issue 12's fault checks through the real gunicorn: a locked store, a hung booking API, a hung CRM.

Every caller must get an HTTP answer before the channel's deadline (Alexa 8 s, Dialogflow 5 s);
a turn that ran late is told at the caller's next turn; a handoff record reaches the endpoint
once per key after it recovers. ``wal_load`` samples the write-ahead log under steady load.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from typing import Any

from loadkit import Caller, Gunicorn, Heard, Stub, latencies
from pairs import DIALOGFLOW_SESSION, at_once, await_records, to_confirmation

LATE = "One moment"
EARLIER = "Here is the answer to your earlier question"
_HOLD_WRITE_LOCK = (
    "import sqlite3, sys, time\n"
    "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "db.execute('BEGIN IMMEDIATE')\n"
    "print('locked', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
    "db.execute('COMMIT')\n"
)


def _ask(caller: Caller, alexa: bool, intent: str, words: str) -> Heard:
    return caller.intent(intent) if alexa else caller.say(words)


def _told_later(callers: list[Caller], during: list[Heard], expected: str) -> dict[str, int]:
    """The next turn of each caller who heard "one moment": it must begin with the late answer."""
    late = told = 0
    for caller, heard in zip(callers, during, strict=True):
        if heard.status == 200 and heard.text.startswith(LATE):
            late += 1
            nxt = _ask(caller, heard.channel == "alexa", "OpeningHours", "what are your opening hours")
            told += int(nxt.text.startswith(EARLIER) and expected in nxt.text)
    return {"late_turns": late, "late_turns_lost": late - told}


def _poll_health(server: Gunicorn, stop: threading.Event, seen: list[float]) -> None:
    while not stop.wait(0.5):
        try:
            seen.append(Caller(server.port, timeout=30).get("/healthz")[1])
        except OSError:
            seen.append(30.0)


def store_lock(server: Gunicorn, seconds: float, n: int) -> dict[str, Any]:
    """Another process holds SQLite's write lock for ``seconds`` while ``n`` callers talk."""
    callers = [Caller(server.port) for _ in range(n)]
    alexa = [index % 2 == 0 for index in range(n)]
    for caller, on_alexa in zip(callers, alexa, strict=True):  # each caller's session exists
        _ask(caller, on_alexa, "OpeningHours", "what are your opening hours")
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_WRITE_LOCK, str(server.db), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    holder.stdout.close()
    stop, health = threading.Event(), list[float]()
    poller = threading.Thread(target=_poll_health, args=(server, stop, health))
    poller.start()
    during = at_once(
        *(
            lambda c=c, a=a: _ask(c, a, "ContactOptions", "how can i contact you")
            for c, a in zip(callers, alexa, strict=True)
        )
    )
    holder.wait()
    stop.set()
    poller.join()
    time.sleep(2.0)  # the late turns commit once the lock is gone
    return {
        "lock_s": seconds,
        "callers": n,
        "answered": latencies(during),
        "alexa": latencies([h for h in during if h.channel == "alexa"]),
        "dialogflow": latencies([h for h in during if h.channel == "dialogflow"]),
        "healthz_max_ms": round(1000 * max(health, default=0.0), 1),
        **_told_later(callers, during, "You can call us"),
    }


def hung_booking(server: Gunicorn, stub: Stub, day: str, n: int, askers: int) -> dict[str, Any]:
    """The booking API hangs (30 s) for ``n`` confirmations at once; ``askers`` others ask the hours."""
    bookers = [Caller(server.port) for _ in range(n)]
    ready = sum(to_confirmation(caller, day, "anna") for caller in bookers)
    booked_before = len(stub.bookings)
    stub.booking_delay = 30.0
    stop, asked = threading.Event(), list[Heard]()

    def ask(index: int) -> None:
        caller = Caller(server.port)
        while not stop.is_set():
            asked.append(_ask(caller, index % 2 == 0, "OpeningHours", "what are your opening hours"))
            time.sleep(0.1)

    threads = [threading.Thread(target=ask, args=(k,)) for k in range(askers)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    confirmed = at_once(*(lambda c=c: c.say("yes") for c in bookers))
    stop.set()
    for thread in threads:
        thread.join()
    stub.booking_delay = 0.0
    time.sleep(1.5)  # the booking client gives up after its own 5 s; that answer is kept
    told = _told_later(bookers, confirmed, "did not confirm the appointment")
    sessions = {DIALOGFLOW_SESSION.format(caller.session) for caller in bookers}
    return {
        "callers": n,
        "set_up": ready,
        "confirmations": latencies(confirmed),
        "heard_one_moment": sum(h.text.startswith(LATE) for h in confirmed),
        "opening_hours_of_others": latencies(asked),
        **told,
        # the API booked before it hung: a colleague must check each of them (told "not confirmed")
        "bookings_at_api": len(stub.bookings) - booked_before,
        "handed_to_a_colleague": await_records(stub, sessions, 10.0),
    }


def hung_handoff(server: Gunicorn, stub: Stub, n: int, hang_s: float, wait_s: float) -> dict[str, Any]:
    """The handoff endpoint hangs for ``hang_s`` while ``n`` callers ask for a person."""
    posts_before = stub.handoff_posts
    callers = [Caller(server.port) for _ in range(n)]
    stub.hang_handoff(True)
    started = time.monotonic()
    heard = at_once(*(lambda c=c: c.say("can i talk to a real person") for c in callers))
    time.sleep(max(0.0, hang_s - (time.monotonic() - started)))
    stub.hang_handoff(False)
    recovered = time.monotonic()
    sessions = {DIALOGFLOW_SESSION.format(caller.session) for caller in callers}
    arrived = await_records(stub, sessions, wait_s)
    records = stub.records_of(sessions)
    with stub.lock:
        again = sum(stub.handoff_accepted[key] - 1 for key in records)
    return {
        "callers": n,
        "hang_s": hang_s,
        "answered": latencies(heard),
        "handed_over": sum("put you through" in h.text for h in heard),
        "records": arrived,
        "records_lost": n - arrived,
        "accepted_again": again,
        "posts": stub.handoff_posts - posts_before,
        "all_arrived_s_after_recovery": round(time.monotonic() - recovered, 1) if arrived == n else None,
    }


def wal_load(server: Gunicorn, stub: Stub, day: str, seconds: float, clients: int) -> dict[str, Any]:
    """Whole booking conversations from ``clients`` threads for ``seconds``; the WAL sampled each second."""
    stop_at = time.monotonic() + seconds
    done: list[int] = []
    sizes: list[int] = []
    before = len(stub.bookings)

    def talk() -> None:
        while time.monotonic() < stop_at:
            caller = Caller(server.port)
            done.append(int(to_confirmation(caller, day, "maria") and "Done!" in caller.say("yes").text))

    threads = [threading.Thread(target=talk) for _ in range(clients)]
    for thread in threads:
        thread.start()
    while time.monotonic() < stop_at:
        sizes.append(server.wal_size())
        time.sleep(1.0)
    for thread in threads:
        thread.join()
    return {
        "seconds": seconds,
        "conversations": len(done),
        "booked": sum(done),
        "bookings_at_api": len(stub.bookings) - before,
        "turns_per_s": round(5 * len(done) / seconds, 1),
        "wal_max_bytes": max(sizes, default=0),
        "wal_last_bytes": server.wal_size(),
        "wal_limit_bytes": 64 * 1024 * 1024,
    }
