"""WAL checkpoints off the request path.

In WAL mode every commit appends to the write-ahead log, and from time to time the log must be
copied back into the database file (a checkpoint, with two fsyncs). Left to SQLite, the commit
that pushes the log past 1000 pages does that copy itself, so about one turn in a hundred waited
4-5 ms longer. A ``Checkpointer`` thread per process does the copying instead, shortly after
writes; the turns' own connections only checkpoint as a safety net, past ``SAFETY_NET_PAGES``.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path

_LOGGER = logging.getLogger(__name__)

SAFETY_NET_PAGES = 10_000
"""``wal_autocheckpoint`` of the turns' connections: they checkpoint only if this thread falls behind."""


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
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            while self._written.wait() and not self._stopping.wait(self.delay):
                self._written.clear()
                try:
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error as exc:  # the next commit tries again; the safety net remains
                    _LOGGER.warning("checkpoint of %s failed: %s", self.path, exc)
        finally:
            db.close()
