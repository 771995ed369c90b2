"""One turn at a time per session, across the threads of a process and the processes of a host.

A turn holds its session from loading it until its commit, so two requests of one caller that
arrive at once (a platform retry, a double tap) are answered one after the other, each from
the state the other left. Different sessions never wait for each other.

Within a process, a lock per session (kept while anyone holds or waits for it). Between the
processes that share one SQLite file, an advisory ``fcntl`` lock on one byte of a lock file
beside the database (``sessions.db.locks``), chosen by the session id's hash. The kernel
drops such a lock when its process dies, so a killed worker never leaves a session locked.
Two sessions whose hashes collide only wait for each other needlessly.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .base import BusyError

__all__ = ["SessionLocks"]

SLOTS = 1 << 24
"""Bytes of the lock file a session id can map to."""
_POLL_S = (0.001, 0.002, 0.005)
"""Pauses between tries for a byte another process holds: short first, then 5 ms."""


class SessionLocks:
    """Hold a session for one turn; ``path`` is the lock file (None: this process only)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._mutex = threading.Lock()
        self._local: dict[str, tuple[threading.Lock, int]] = {}
        """Session id -> its lock and how many threads hold or wait for it."""
        self._bytes: dict[int, int] = {}
        """Lock-file byte -> how many sessions of this process hold it (hash collisions share it)."""
        self._fd: int | None = None
        self._pid = 0

    @contextmanager
    def hold(self, session_id: str, timeout: float) -> Iterator[None]:
        """Hold ``session_id`` for the block; ``BusyError`` when it stays taken for ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        lock = self._enter(session_id)
        try:
            if not lock.acquire(timeout=max(0.0, timeout)):
                raise _busy(session_id, timeout)
            try:
                slot = self._take_byte(session_id, deadline, timeout) if self.path else None
                try:
                    yield
                finally:
                    if slot is not None:
                        self._give_byte(slot)
            finally:
                lock.release()
        finally:
            self._leave(session_id)

    def _enter(self, session_id: str) -> threading.Lock:
        with self._mutex:
            lock, users = self._local.get(session_id) or (threading.Lock(), 0)
            self._local[session_id] = (lock, users + 1)
            return lock

    def _leave(self, session_id: str) -> None:
        with self._mutex:
            lock, users = self._local[session_id]
            if users == 1:
                del self._local[session_id]
            else:
                self._local[session_id] = (lock, users - 1)

    def _take_byte(self, session_id: str, deadline: float, timeout: float) -> int:
        slot = int.from_bytes(hashlib.blake2b(session_id.encode(), digest_size=8).digest()) % SLOTS
        for attempt in range(1_000_000):
            with self._mutex:
                if self._bytes.get(slot):  # this process holds it already, for a colliding session
                    self._bytes[slot] += 1
                    return slot
                if self._try_lock(slot):
                    self._bytes[slot] = 1
                    return slot
            if time.monotonic() >= deadline:
                raise _busy(session_id, timeout)
            time.sleep(_POLL_S[min(attempt, len(_POLL_S) - 1)])
        raise _busy(session_id, timeout)

    def _give_byte(self, slot: int) -> None:
        with self._mutex:
            self._bytes[slot] -= 1
            if self._bytes[slot] == 0:
                del self._bytes[slot]
                fcntl.lockf(self._file(), fcntl.LOCK_UN, 1, slot)

    def _try_lock(self, slot: int) -> bool:
        try:
            fcntl.lockf(self._file(), fcntl.LOCK_EX | fcntl.LOCK_NB, 1, slot)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                return False
            raise
        return True

    def _file(self) -> int:
        """This process's descriptor of the lock file; a forked child opens its own."""
        if self._fd is None or self._pid != os.getpid():
            assert self.path is not None
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
            self._bytes.clear()
        return self._fd

    def touch(self) -> None:
        """Create the lock file: it also marks the database beside it as in use (see ``sqlite_files``)."""
        if self.path is not None:
            self.path.touch(mode=0o600, exist_ok=True)

    def close(self) -> None:
        with self._mutex:
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = None


def _busy(session_id: str, timeout: float) -> BusyError:
    return BusyError(
        f"session {session_id} stayed busy with another turn for {timeout:g} s; try the turn again."
    )
