"""Benchmark: what a turn costs the store, SQLite and PostgreSQL side by side.

A turn is what the dialog does with the store for every request: hold the session
(``lock_session``), read it, the caller's attributes and any earlier reply (``load_turn``), and
save it with two history turns, two log rows and the answer to the platform request (``save``), one
transaction.
Each caller is a process of its own (as gunicorn workers are) with its own store and its own
conversations of 10 turns each.

- ``turn_ms``: the median turn of one caller alone (load + commit, the lock included);
- ``lock_ms``: the median ``lock_session`` enter + exit on a free session, alone;
- ``turns_per_s``: turns per second of 1, 4 and 16 callers at once, each for ``--seconds``;
- ``ratio``: PostgreSQL's ``turn_ms`` over SQLite's.

Stores: ``sqlite`` (a WAL file in a temporary folder, ``synchronous = NORMAL``, the default),
``postgresql`` (a private server started by the bench, PostgreSQL's durable defaults:
``fsync`` and ``synchronous_commit`` on, over loopback TCP), and ``postgresql_async`` (the same
server, ``synchronous_commit = off`` for the bench's connections: a crash of the database server
may lose the last few hundred milliseconds of turns, as SQLite's NORMAL may on a power cut).

The last line is one JSON object.

    .venv/bin/python bench/store.py [--seconds 3] [--callers 1,4,16]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from postgres_server import PostgresServer  # noqa: E402

from voice.store import LogEntry, Session, Speaker, Store, TurnRecord, open_store  # noqa: E402

TURNS_PER_CONVERSATION = 10


def one_turn(store: Store, session_id: str, user_id: str, n: int) -> None:
    """The store's part of one dialog turn."""
    with store.lock_session(session_id, timeout=30):
        session = store.load_turn(session_id, user_id, f"{session_id}-{n}").session
        if session is None:
            now = store.clock()
            session = Session.new(
                id=session_id, user_id=user_id, skill="bench", locale="nl", channel="alexa", now=now, ttl=600
            )
        now = store.clock()
        said = (
            TurnRecord(
                time=now,
                speaker=Speaker.USER,
                text="een tafel voor vier morgen",
                intent="Book",
                slots={"party": 4, "date": "2026-12-01"},
                confidence=0.9,
            ),
            TurnRecord(time=now, speaker=Speaker.ASSISTANT, text="Om hoe laat wilt u komen?"),
        )
        changed = session.with_turns(said).with_attributes({"step": n})
        log = tuple(LogEntry.from_turn(changed, turn) for turn in said)
        store.save(changed, log=log, answer=(f"{session_id}-{n}", {"speech": "Om hoe laat wilt u komen?"}))


def caller(url: str, name: str, seconds: float, ready: Any, go: Any, results: Any) -> None:
    """Run turns for ``seconds`` after ``go``; put (turns, latencies in seconds) on ``results``."""
    with open_store(url) as store:
        one_turn(store, f"{name}-warm", name, 0)  # opens the pool / connection before the clock starts
        ready.release()
        go.wait()
        latencies: list[float] = []
        end = time.monotonic() + seconds
        n = 0
        while time.monotonic() < end:
            started = time.perf_counter()
            one_turn(store, f"{name}-{n // TURNS_PER_CONVERSATION}", name, n)
            latencies.append(time.perf_counter() - started)
            n += 1
    results.put((n, latencies))


def measure(url: str, callers: int, seconds: float, tag: str) -> tuple[float, list[float]]:
    """Turns per second of ``callers`` processes at once, and every turn's latency."""
    context = multiprocessing.get_context("fork")
    ready, go, results = context.Semaphore(0), context.Event(), context.Queue()
    processes = [
        context.Process(target=caller, args=(url, f"{tag}-c{callers}-{i}", seconds, ready, go, results))
        for i in range(callers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.acquire()
    started = time.monotonic()
    go.set()
    done = [results.get(timeout=seconds + 120) for _ in processes]
    wall = time.monotonic() - started
    for process in processes:
        process.join(60)
    turns = sum(count for count, _ in done)
    return turns / wall, [latency for _, latencies in done for latency in latencies]


def lock_cost(url: str, rounds: int = 2000) -> float:
    """Median seconds of entering and leaving ``lock_session`` on a free session."""
    with open_store(url) as store:
        times = []
        for n in range(rounds):
            started = time.perf_counter()
            with store.lock_session(f"lock-{n % 10}", timeout=5):
                pass
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per measurement")
    parser.add_argument("--callers", default="1,4,16", help="concurrent callers to measure, comma-separated")
    args = parser.parse_args()
    counts = [int(count) for count in args.callers.split(",")]
    server = PostgresServer.start(durable=True)
    try:
        with tempfile.TemporaryDirectory() as folder:
            pg = server.new_database("bench")
            stores = {
                "sqlite": f"sqlite:///{Path(folder) / 'sessions.db'}",
                "postgresql": f"{pg}?pool_size=2",
                "postgresql_async": f"{pg}?pool_size=2&options=-c%20synchronous_commit%3Doff",
            }
            report = run(stores, counts, args.seconds)
    finally:
        server.stop()
    print(json.dumps(report))


def run(stores: dict[str, str], counts: list[int], seconds: float) -> dict[str, Any]:
    report: dict[str, Any] = {
        "bench": "store",
        "seconds": seconds,
        "turn_ms": {},
        "p99_ms": {},
        "lock_ms": {},
    }
    report["turns_per_s"] = {kind: {} for kind in stores}
    for kind, url in stores.items():
        report["lock_ms"][kind] = round(lock_cost(url) * 1000, 3)
        for count in counts:
            rate, latencies = measure(url, count, seconds, kind)
            report["turns_per_s"][kind][str(count)] = round(rate)
            if count == 1:
                report["turn_ms"][kind] = round(statistics.median(latencies) * 1000, 3)
            if count == max(counts):
                latencies.sort()
                report["p99_ms"][kind] = round(latencies[int(len(latencies) * 0.99)] * 1000, 2)
            print(f"{kind:17} {count:3} callers: {rate:7.0f} turns/s", file=sys.stderr)
    report["ratio"] = {
        kind: round(report["turn_ms"][kind] / report["turn_ms"]["sqlite"], 2)
        for kind in stores
        if kind != "sqlite"
    }
    return report


if __name__ == "__main__":
    main()
