"""Benchmark: whole conversations under concurrency and faults, through the documented gunicorn (issue 12).

For each worker type (sync, then ``-k gthread --threads N``), ``gunicorn -w 2
'voice.server:create_app()'`` runs on 127.0.0.1 with a temporary ``voice.toml``: the
customer_service skill, a fresh SQLite store, verification off, and a loopback stub that is both
the booking API (counting ``POST /appointments``) and the handoff endpoint (keeping each
``Idempotency-Key``'s record once). Then:

a. ``--pairs`` sessions at once, three times (``bench/pairs.py``): the confirming "yes" twice at
   the same moment with one request id (bookings at the API, answers lost); two different names
   at once (stored state against the last reply); two misunderstood turns at once (two fallbacks,
   the third hands over).
b. faults (``bench/faults.py``): another process holds the store's write lock ``--lock-seconds``
   while callers talk (Alexa and Dialogflow); the booking API hangs 30 s for confirmations while
   other callers ask the opening hours; the handoff endpoint hangs ``--handoff-hang`` s while
   callers ask for a person, then recovers.
c. ``--wal-seconds`` of steady whole conversations on the last server, the WAL's size sampled
   every second (the store restarts the log past 32 MiB and cuts the file back to 64 MiB).

Progress goes to stderr; the last line on stdout is one JSON object.

    .venv/bin/python bench/conversations.py [--pairs 200] [--kinds sync,gthread] [--threads 4]
        [--lock-seconds 10] [--lock-callers 8] [--hung-callers 4] [--askers 4]
        [--handoff-callers 10] [--handoff-hang 10] [--wal-seconds 60] [--wal-clients 8]
        [--checks pairs,faults,wal]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from faults import hung_booking, hung_handoff, store_lock, wal_load  # noqa: E402
from loadkit import Gunicorn, Stub, warm_up  # noqa: E402
from pairs import booking_day, different_answers, duplicate_pairs, fallback_pairs  # noqa: E402

from voice.store import open_store  # noqa: E402


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--kinds", default="sync,gthread", help="worker types, comma-separated")
    parser.add_argument("--checks", default="pairs,faults,wal", help="which of pairs, faults, wal to run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--lock-seconds", type=float, default=10.0)
    parser.add_argument("--lock-callers", type=int, default=8)
    parser.add_argument("--hung-callers", type=int, default=4)
    parser.add_argument("--askers", type=int, default=4)
    parser.add_argument("--handoff-callers", type=int, default=10)
    parser.add_argument("--handoff-hang", type=float, default=10.0)
    parser.add_argument("--wal-seconds", type=float, default=60.0)
    parser.add_argument("--wal-clients", type=int, default=8)
    return parser.parse_args()


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def pair_checks(server: Gunicorn, stub: Stub, args: argparse.Namespace, day: str) -> dict[str, Any]:
    """(a): requests of one caller at once."""
    found: dict[str, Any] = {}
    with open_store(f"sqlite:///{server.db}") as store:
        _log(f"{server.kind}: {args.pairs} duplicate pairs")
        found["duplicate_pairs"] = duplicate_pairs(server, stub, args.pairs, day)
        _log(f"{server.kind}: {args.pairs} pairs of different names")
        found["different_answers"] = different_answers(server, store, args.pairs, day)
        _log(f"{server.kind}: {args.pairs} pairs of misunderstood turns")
        found["fallback_pairs"] = fallback_pairs(server, stub, store, args.pairs)
    return found


def fault_checks(server: Gunicorn, stub: Stub, args: argparse.Namespace, day: str) -> dict[str, Any]:
    """(b): a locked store, a hung booking API, a hung handoff endpoint."""
    found: dict[str, Any] = {}
    _log(f"{server.kind}: store write lock held {args.lock_seconds:g} s")
    found["store_lock"] = store_lock(server, args.lock_seconds, args.lock_callers)
    _log(f"{server.kind}: hung booking API")
    found["hung_booking"] = hung_booking(server, stub, day, args.hung_callers, args.askers)
    _log(f"{server.kind}: hung handoff endpoint")
    found["hung_handoff"] = hung_handoff(server, stub, args.handoff_callers, args.handoff_hang, 120.0)
    return found


def one_server(
    server: Gunicorn, stub: Stub, args: argparse.Namespace, day: str, last: bool
) -> dict[str, Any]:
    """The chosen checks against one running server (the WAL load on the last one only)."""
    checks = set(args.checks.split(","))
    found: dict[str, Any] = {"kind": server.kind, "workers": args.workers}
    if "pairs" in checks:
        found.update(pair_checks(server, stub, args, day))
    if "faults" in checks:
        found.update(fault_checks(server, stub, args, day))
    if "wal" in checks and last:
        _log(f"{server.kind}: {args.wal_seconds:g} s steady load, WAL sampled")
        found["wal"] = wal_load(server, stub, day, args.wal_seconds, args.wal_clients)
    return found


def main() -> None:
    args = _arguments()
    day = booking_day()
    stub = Stub()
    results: dict[str, Any] = {"bench": "conversations", "day": day}
    kinds = [kind.strip() for kind in args.kinds.split(",") if kind.strip()]
    try:
        with tempfile.TemporaryDirectory(prefix="voice-conversations-") as folder:
            for index, kind in enumerate(kinds):
                threads = args.threads if kind == "gthread" else 0
                server = Gunicorn(Path(folder) / kind, stub.url, workers=args.workers, threads=threads)
                try:
                    _log(f"{server.kind}: warm-up took {warm_up(server.port)} round(s)")
                    results[kind] = one_server(server, stub, args, day, index == len(kinds) - 1)
                finally:
                    server.stop()
    finally:
        stub.close()
    print(json.dumps(results, separators=(",", ":")))


if __name__ == "__main__":
    main()
