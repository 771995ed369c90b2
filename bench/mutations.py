"""Mutation campaign: thousands of broken requests per endpoint through gunicorn, and not one 500.

For each kind of worker (``sync``: ``-w 2``; ``gthread``: ``-w 2 -k gthread --threads 4``) one
gunicorn serves ``voice.server:create_app()`` on 127.0.0.1 (a free port, the shipped skill over a
temporary SQLite file, verification off so that the bodies reach the parser). Each endpoint gets
``--requests`` probes from ``tests/voice/mutation_campaign.py``: recorded platform requests with one
field replaced or deleted, state nested up to 1,500 levels or holding lone surrogates, bytes flipped,
other encodings, NaN and 1e999, bodies over the 128 KB limit, other Content-Types, and chunked
bodies, valid and malformed. Every probe is a new connection from one of ``--clients`` threads.

Bounded: at most ``--requests`` per endpoint and ``--seconds`` per endpoint and worker; probes not
sent in time count as failures. An outcome ending in ``!`` is a failure (a 5xx, an answer that is not
our JSON, a 200 that is not strict JSON, a lost connection). ``reset (broken chunks)`` is a connection
the kernel reset because gunicorn stopped reading at broken chunked framing; the 400 was sent.
The counts per outcome are printed per endpoint; the last line is one JSON object.

    .venv/bin/python bench/mutations.py [--requests 5000] [--clients 4] [--seconds 300] [--seed 12]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "voice"))

from mutation_campaign import ENDPOINTS, probes, run, serve  # noqa: E402

WORKERS = {"sync": ("-w", "2"), "gthread": ("-w", "2", "-k", "gthread", "--threads", "4")}


def campaign(worker: str, args: argparse.Namespace) -> dict[str, Any]:
    """One gunicorn, every endpoint; the counts, failures and the worker's error-log findings."""
    found: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder, serve(Path(folder), *WORKERS[worker]) as (port, log):
        for endpoint in ENDPOINTS:
            made = probes(endpoint, args.requests, seed=args.seed)
            started = time.monotonic()
            outcome = run(port, made, clients=args.clients, seconds=args.seconds)
            elapsed = time.monotonic() - started
            sent = sum(n for key, n in outcome.counts.items() if key != "not sent")
            print(f"{worker:8} {endpoint:12} {sent} requests in {elapsed:.1f} s, failed {outcome.failed}")
            for key, n in sorted(outcome.counts.items()):
                print(f"    {key:24} {n}")
            for key, probe in outcome.examples.items():
                print(f"    first {key}: {probe.kind}: {probe.data[:200]!r}")
            found[endpoint] = {
                "sent": sent,
                "failed": outcome.failed,
                "statuses": dict(sorted(outcome.counts.items())),
                "seconds": round(elapsed, 1),
            }
        text = log.read_text()
        found["log_tracebacks"] = text.count("Traceback")
        found["log_errors"] = text.count("[ERROR]")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000, help="probes per endpoint and worker kind")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=300.0, help="time limit per endpoint and worker")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--workers", nargs="+", choices=sorted(WORKERS), default=sorted(WORKERS))
    args = parser.parse_args()
    results = {worker: campaign(worker, args) for worker in args.workers}
    per_status: dict[str, int] = {}
    for result in results.values():
        for endpoint in ENDPOINTS:
            for key, n in result[endpoint]["statuses"].items():
                per_status[key] = per_status.get(key, 0) + n
    summary = {
        "bench": "mutations",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "requests_per_endpoint_and_worker": args.requests,
        "sent": sum(r[e]["sent"] for r in results.values() for e in ENDPOINTS),
        "status_500": sum(n for key, n in per_status.items() if key.startswith("5")),
        "failed": sum(r[e]["failed"] for r in results.values() for e in ENDPOINTS),
        "log_tracebacks": sum(r["log_tracebacks"] for r in results.values()),
        "statuses": dict(sorted(per_status.items())),
        "workers": results,
    }
    print(json.dumps(summary, separators=(",", ":")))


if __name__ == "__main__":
    main()
