"""KPI queries and the dashboard's overview page over 1,000,000 logged turns (issue 15: <= 1 s).

Generates conversations of two skills, three channels and two languages over 90 days (about 12% of
the turns not understood, in 3,000 phrasings), writes their ``signals`` rows and ``rollup`` counts
in bulk (SQLite ``executemany``, PostgreSQL ``COPY``), then times, on SQLite and on PostgreSQL (a
private server), ``build_report`` (the KPIs of a period and of the one before, and the grouped
not-understood utterances) for three periods and slices, and a logged-in GET of ``/dashboard/``.
Prints one JSON line: the slowest time of each, in seconds.

    python bench/analytics.py [--turns 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from postgres_server import PostgresServer  # noqa: E402

from voice.analytics import Filters, build_report  # noqa: E402
from voice.store import Store, open_store  # noqa: E402
from voice.store.signals import SIGNAL_COLUMNS, Outcome, TurnSignals, Understood, day_of, rollup_deltas  # noqa: E402

END = dt.date(2026, 11, 30)
DAYS = 90
INTENTS = (
    "OpeningHours",
    "OrderStatus",
    "ContactOptions",
    "BookAppointment",
    "Capabilities",
    "Greeting",
    "Thanks",
)
HOW = (
    (Understood.TEMPLATE, 0.58),
    (Understood.FUZZY, 0.08),
    (Understood.PLATFORM, 0.10),
    (Understood.KNOWLEDGE, 0.08),
    (Understood.NONE, 0.12),
    (Understood.SILENCE, 0.04),
)
WORDS = (
    "pakket",
    "factuur",
    "retour",
    "korting",
    "parcel",
    "invoice",
    "refund",
    "voucher",
    "account",
    "winkel",
)


def _phrasings(rng: random.Random) -> list[str]:
    return [
        f"{rng.choice(('waar is mijn', 'where is my', 'ik wil mijn', 'i want my'))} {w} {n}"
        for n in range(300)
        for w in WORDS
    ]


def conversations(turns: int, seed: int = 15) -> Iterator[TurnSignals]:
    """``turns`` turns' signals, conversation by conversation."""
    rng = random.Random(seed)
    texts = _phrasings(rng)
    kinds, weights = zip(*HOW, strict=True)
    made, number = 0, 0
    first = (END - dt.timedelta(days=DAYS - 1) - dt.date(1970, 1, 1)).days * 86400
    while made < turns:
        number += 1
        start = first + rng.random() * DAYS * 86400
        channel, locale = rng.choice(("alexa", "dialogflow", "chat")), rng.choice(("nl", "en"))
        skill = rng.choice(("customer_service", "shop"))
        before: Outcome | None = None
        for n in range(min(rng.randint(1, 8), turns - made)):
            how = rng.choices(kinds, weights)[0]
            handoff = rng.random() < 0.01
            outcome = (
                Outcome.HANDOFF
                if handoff or before is Outcome.HANDOFF
                else (Outcome.GAVE_UP if how is Understood.NONE else Outcome.CONTAINED)
            )
            intent = (
                rng.choice(INTENTS)
                if how in (Understood.TEMPLATE, Understood.FUZZY, Understood.PLATFORM)
                else ""
            )
            signals = TurnSignals(
                session_id=f"s{number}",
                user_id=f"u{number}",
                time=start + 20 * n,
                channel=channel,
                locale=locale,
                skill=skill,
                intent=intent,
                understood=how,
                text=rng.choice(texts) if how is Understood.NONE else "",
                flow="BookAppointment" if intent == "BookAppointment" else "",
                flow_started=intent == "BookAppointment" and rng.random() < 0.5,
                knowledge="answer" if how is Understood.KNOWLEDGE else "",
                handoff="caller" if handoff and before is not Outcome.HANDOFF else "",
                handoff_reason="asked" if handoff and before is not Outcome.HANDOFF else "",
                latency_ms=rng.lognormvariate(3.5, 0.6),
                conversation_day=day_of(start),
                conversation_skill=skill,
                outcome_before=before,
                outcome=outcome,
            )
            yield signals
            made += 1
            before = outcome


def generate(turns: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The ``signals`` rows and the summed ``rollup`` rows of ``turns`` turns."""
    rows: list[tuple[Any, ...]] = []
    counts: Counter[tuple[int, str, str, str, str]] = Counter()
    for signals in conversations(turns):
        rows.append(_row(signals))
        for d in rollup_deltas(signals):
            counts[(d.day, d.channel, d.locale, d.skill, d.metric)] += d.delta
    return rows, [(*key, count) for key, count in counts.items()]


def _row(signals: TurnSignals) -> tuple[Any, ...]:
    values = {"understood": signals.understood.value, "outcome": signals.outcome.value}
    return tuple(values.get(column, getattr(signals, column)) for column in SIGNAL_COLUMNS)


def load_sqlite(store: Store, rows: list[tuple[Any, ...]], rollup: list[tuple[Any, ...]]) -> None:
    marks = ", ".join("?" for _ in SIGNAL_COLUMNS)
    db = store._db.own_connection()  # type: ignore[attr-defined]  # bulk load: one transaction
    db.execute("BEGIN")
    db.executemany(f"INSERT INTO signals ({', '.join(SIGNAL_COLUMNS)}) VALUES ({marks})", rows)
    db.executemany(
        "INSERT INTO rollup (day, channel, locale, skill, metric, count) VALUES (?, ?, ?, ?, ?, ?)", rollup
    )
    db.execute("COMMIT")
    db.execute("ANALYZE")


def load_postgres(url: str, rows: list[tuple[Any, ...]], rollup: list[tuple[Any, ...]]) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        with conn.cursor() as cursor:
            with cursor.copy(f"COPY signals ({', '.join(SIGNAL_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            with cursor.copy("COPY rollup (day, channel, locale, skill, metric, count) FROM STDIN") as copy:
                for row in rollup:
                    copy.write_row(row)
        conn.execute("ANALYZE")


PERIODS = {
    "30_days": Filters(start=END - dt.timedelta(days=29), end=END),
    "90_days": Filters(start=END - dt.timedelta(days=89), end=END),
    "7_days_alexa_nl": Filters(start=END - dt.timedelta(days=6), end=END, channel="alexa", locale="nl"),
}


def measure(store: Store, url: str, repeats: int = 3) -> dict[str, float]:
    """The slowest of ``repeats`` runs of each report and of the overview page."""
    timings: dict[str, float] = {}
    for name, filters in PERIODS.items():
        runs = []
        for _ in range(repeats):
            began = time.perf_counter()
            build_report(store, filters)
            runs.append(time.perf_counter() - began)
        timings[f"report_{name}_s"] = round(max(runs), 4)
    timings.update(_overview(url, repeats))
    return timings


def _overview(url: str, repeats: int) -> dict[str, float]:
    """A logged-in GET of /dashboard/ for the last 30 days (the app built as voice serve builds it)."""
    sys.path.insert(0, str(ROOT / "tests" / "voice" / "analytics"))
    from dashboard_client import logged_in_client

    runs = []
    with logged_in_client(url) as client:
        query = {"from": PERIODS["30_days"].start.isoformat(), "to": END.isoformat()}
        for _ in range(repeats):
            began = time.perf_counter()
            page = client.get("/dashboard/", query_string=query)
            runs.append(time.perf_counter() - began)
            assert page.status_code == 200, page.status_code
    return {"overview_page_30_days_s": round(max(runs), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=1_000_000)
    args = parser.parse_args()
    began = time.perf_counter()
    rows, rollup = generate(args.turns)
    result: dict[str, Any] = {
        "bench": "analytics",
        "turns": len(rows),
        "rollup_rows": len(rollup),
        "generate_s": round(time.perf_counter() - began, 1),
    }
    server = PostgresServer.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            urls = {
                "sqlite": f"sqlite:///{Path(folder) / 'sessions.db'}",
                "postgresql": server.new_database("bench"),
            }
            for kind, url in urls.items():
                with open_store(url) as store:
                    began = time.perf_counter()
                    if kind == "sqlite":
                        load_sqlite(store, rows, rollup)
                    else:
                        load_postgres(url, rows, rollup)
                    result[f"{kind}_load_s"] = round(time.perf_counter() - began, 1)
                    result[kind] = measure(store, url)
    finally:
        server.stop()
    slowest = max(value for kind in ("sqlite", "postgresql") for value in result[kind].values())
    result["slowest_s"] = slowest
    result["goal_met"] = slowest <= 1.0
    print(json.dumps(result))


if __name__ == "__main__":
    main()
