"""Benchmark: ``voice data copy`` of a 100,000-turn SQLite store to PostgreSQL and back (issue 13).

1. ``tests/store_bulk.py`` writes the SQLite store (10,000 sessions of ten turns, their log rows,
   5,000 users, 50,000 replies, 500 handoffs).
2. ``voice data copy`` (the real command, in a process of its own) copies it to a new database on
   a private PostgreSQL server; it is killed with SIGKILL after ``--kill-after`` seconds, then run
   again, which continues where it stopped.
3. The copy is copied back to a new SQLite file, and the two SQLite files are compared row by row
   (user attributes by value: PostgreSQL's jsonb keeps values, not spacing and key order).

One JSON line on stdout: rows per table, seconds of each step, rows per second, whether the
checksums and the rows matched.

    .venv/bin/python bench/data_copy.py [--turns 100000] [--kill-after 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from postgres_server import PostgresServer  # noqa: E402
from store_bulk import fill_sqlite  # noqa: E402

VOICE = [str(Path(sys.executable).parent / "voice")]


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with closing(sqlite3.connect(path)) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        found = {table: sorted(db.execute(f"SELECT * FROM {table}").fetchall()) for table in tables}
    found["users"] = [(id_, json.loads(attributes), at) for id_, attributes, at in found["users"]]
    return found


def _copied(output: str) -> int:
    """The rows a run wrote: the sum of the 'copied' column of its table."""
    lines = [line.split() for line in output.splitlines()]
    return sum(int(fields[1]) for fields in lines if len(fields) == 7 and fields[6] in ("ok", "DIFFERENT"))


def _copy(source: str, target: str, kill_after: float | None = None) -> tuple[int, float, str]:
    """Run ``voice data copy``; (exit code, seconds, output). ``kill_after``: SIGKILL it then."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [*VOICE, "data", "copy", source, target],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=kill_after)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
    return process.returncode, time.perf_counter() - started, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=100_000)
    parser.add_argument("--kill-after", type=float, default=3.0)
    args = parser.parse_args()
    server = PostgresServer.start(durable=True)
    try:
        with tempfile.TemporaryDirectory(prefix="voice-copy-") as folder:
            source, back = Path(folder) / "source.db", Path(folder) / "back.db"
            started = time.perf_counter()
            tables = fill_sqlite(source, args.turns)
            fill_s = time.perf_counter() - started
            target = server.new_database("copy")
            killed, killed_s, killed_output = _copy(f"sqlite:///{source}", target, args.kill_after)
            resumed, resumed_s, resumed_output = _copy(f"sqlite:///{source}", target)
            back_code, back_s, _ = _copy(target, f"sqlite:///{back}")
            whole, whole_s, _ = _copy(f"sqlite:///{source}", server.new_database("whole"))
            same = _rows(source) == _rows(back)
    finally:
        server.stop()
    rows = sum(tables.values())
    print(
        json.dumps(
            {
                "bench": "copy",
                "turns": args.turns,
                "rows": tables,
                "fill_s": round(fill_s, 2),
                "to_postgresql_s": round(whole_s, 2),
                "to_postgresql_rows_per_s": round(rows / whole_s),
                "killed_after_s": round(killed_s, 2),
                "killed_exit": killed,
                "batches_before_kill": len(re.findall(r" rows? copied$", killed_output, re.MULTILINE)),
                "rows_copied_on_resume": _copied(resumed_output),
                "resumed_s": round(resumed_s, 2),
                "resumed_exit": resumed,
                "resumed_verified": "copied and verified" in resumed_output,
                "back_to_sqlite_s": round(back_s, 2),
                "back_exit": back_code,
                "whole_exit": whole,
                "identical_after_round_trip": same,
            },
            separators=(",", ":"),
        )
    )


if __name__ == "__main__":
    main()
