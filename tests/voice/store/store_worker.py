"""A worker process for the multi-process store test (run as a script, not collected by pytest).

    python tests/voice/store/store_worker.py DATABASE WORKER TURNS GO_FILE

Waits until GO_FILE exists, so that every worker starts writing at the same moment, then
appends TURNS turns to the shared session "shared" and TURNS turns to its own session
"own-WORKER", alternating, as two gunicorn workers taking turns for the same caller would.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from voice.store import Speaker, SqliteStore, TurnRecord

RETRIES = 1000
"""High on purpose: the test is about losing nothing, not about how often workers collide."""


def _wait_for(go_file: Path, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not go_file.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"{go_file} never appeared")
        time.sleep(0.005)


def run(database: Path, worker: str, turns: int, go_file: Path) -> None:
    """Write the turns; every write must land exactly once."""
    with SqliteStore(database) as store:
        own = f"own-{worker}"
        store.load_or_start(own, user_id=f"user-{worker}", skill="demo", locale="nl", channel="alexa")
        _wait_for(go_file)
        for n in range(turns):
            for session_id in ("shared", own):
                turn = TurnRecord(
                    time=time.time(), speaker=Speaker.USER, text=f"{worker}:{n}", intent="Count"
                )
                store.record_turn(session_id, turn, retries=RETRIES)


if __name__ == "__main__":
    run(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]))
