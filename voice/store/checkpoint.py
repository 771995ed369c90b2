"""WAL checkpoints off the request path.

In WAL mode every commit appends to the write-ahead log, and from time to time the log must be
copied back into the database file (a checkpoint, with two fsyncs). Left to SQLite, the commit
that pushes the log past 1000 pages does that copy itself, so about one turn in a hundred waited
4-5 ms longer. A ``Checkpointer`` thread per process does the copying instead, shortly after
writes; the turns' own connections only checkpoint as a safety net, past ``SAFETY_NET_PAGES``.
A log past ``RESTART_FRAMES`` is restarted, which keeps the file bounded under steady load.

SQLite's mutexes do not survive a fork: a child forked while this thread was inside SQLite (even
in one of its allocations) would wait forever at its own first SQLite call. A fork therefore waits
until the thread is out of SQLite (``_IN_SQLITE``); the thread goes in once per statement, so a
fork waits at most one checkpoint.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

_LOGGER = logging.getLogger(__name__)

_IN_SQLITE = threading.Lock()
"""Held by a checkpoint thread while it is inside SQLite, and by a thread that forks (see above)."""
os.register_at_fork(
    before=_IN_SQLITE.acquire, after_in_parent=_IN_SQLITE.release, after_in_child=_IN_SQLITE.release
)

SAFETY_NET_PAGES = 10_000
"""``wal_autocheckpoint`` of the turns' connections: they checkpoint only if this thread falls behind."""
RESTART_FRAMES = 8_192
"""Log frames (32 MiB of 4 KiB pages) past which the thread restarts the log after its checkpoint.

A passive checkpoint never waits, so under steady writes it never catches up with the end of the
log, the log is never started again from its beginning, and the file grows without end (1 GB in
60 s of load). A ``RESTART`` checkpoint makes writers wait until every frame is copied and no
reader needs the log (milliseconds); the next write then starts the log afresh, and
``journal_size_limit`` cuts the file back."""
RESTART_WAIT_S = 0.5
"""The longest a restart may make writers (the turns) wait for readers; it is tried again later."""
TRIES = 100
"""Attempts, 10 ms apart, while another connection checkpoints (SQLite then refuses at once, without
waiting; the turns' own connections checkpoint on every commit once the log is past the safety net)."""


class Checkpointer:
    """A daemon thread that checkpoints one database soon after it was written to."""

    def __init__(self, path: Path, *, delay: float = 0.5) -> None:
        """``delay``: seconds to gather writes before a checkpoint, so a busy server checkpoints twice
        a second rather than after every turn."""
        self.path, self.delay = path, delay
        self.pid = os.getpid()
        self._written = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="voice-store-checkpoint", daemon=True)
        self._thread.start()

    def written(self) -> None:
        """Called after each commit: a checkpoint is due."""
        self._written.set()

    def stop(self) -> None:
        self._stopping.set()
        self._written.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        with _IN_SQLITE:
            db = sqlite3.connect(
                self.path, timeout=RESTART_WAIT_S, isolation_level=None, check_same_thread=False
            )
        try:
            while self._written.wait() and not self._stopping.wait(self.delay):
                self._written.clear()
                try:
                    if _checkpoint(db, "PASSIVE") >= RESTART_FRAMES:
                        _checkpoint(db, "RESTART")
                except sqlite3.Error as exc:  # the next commit tries again; the safety net remains
                    _LOGGER.warning("checkpoint of %s failed: %s", self.path, exc)
        finally:
            with _IN_SQLITE:
                db.close()


def _checkpoint(db: sqlite3.Connection, mode: str) -> int:
    """Frames in the log after a checkpoint in ``mode``; -1 when other checkpoints kept it from running."""
    for _ in range(TRIES):
        with _IN_SQLITE:
            _busy, frames, _copied = db.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        if frames >= 0:
            return int(frames)
        time.sleep(0.01)
    return -1
