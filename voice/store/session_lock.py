"""One turn at a time per session, across the threads of a process and the processes of a host.

A turn holds its session from loading it until its commit, so two requests of one caller that
arrive at once (a platform retry, a double tap) are answered one after the other, each from
the state the other left. Different sessions never wait for each other.

Within a process, a lock per session (kept while anyone holds or waits for it). Between the
processes that share one SQLite file, an advisory ``fcntl`` lock on one byte of a lock file
beside the database (``sessions.db.locks``), chosen by the session id's hash. The kernel
drops such a lock when its process dies, so a killed worker never leaves a session locked.
Two sessions whose hashes collide only wait for each other needlessly.

Writers take their turn the same way (``hold_writer``: a thread lock, then the byte just past the
sessions'), so a commit that finds another one running waits about as long as that one takes.
Left to SQLite's own busy handler it would sleep 1 ms or more: measured under ``bench/webhook.py``'s
load with two workers, one write in five did.

A process has one ``SessionLocks`` per database file (the store's): the kernel's locks belong to the
process, and closing any descriptor of the file drops all of them. A forked child starts with none
of its parent's locks, held or waited for.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .base import BusyError, StoreError

__all__ = ["SessionLocks"]

SLOTS = 1 << 24
"""Bytes of the lock file a session id can map to."""
_POLL_S = (0.001, 0.002, 0.005)
"""Pauses between tries for a byte another process holds: short first, then 5 ms."""
WRITER = SLOTS
"""The lock-file byte of the one writer at a time."""
_WRITER_POLL_S = (0.00005, 0.0001, 0.0002, 0.0005, 0.001)
"""Pauses between tries for the writer byte: a commit takes about 0.1 ms, so the first tries are quick."""


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
        self._writer = threading.Lock()
        _ALL.add(self)

    def _forget_parent(self) -> None:
        """In a forked child: the parent's threads may have held these locks; the child holds none."""
        self._mutex, self._writer = threading.Lock(), threading.Lock()
        self._local, self._bytes = {}, {}
        if self._fd is not None:
            os.close(self._fd)  # releases nothing: the kernel's locks are the parent's
            self._fd = None

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

    @contextmanager
    def hold_writer(self, timeout: float) -> Iterator[float]:
        """Be the one writer of the database for the block, which gets the seconds left of ``timeout``;
        ``BusyError`` when other writers held it for all of it. SQLite's own lock still guards every
        write (a process that does not take turns here, a checkpoint): this only saves the sleeps."""
        deadline = time.monotonic() + timeout
        writer = self._writer
        if not writer.acquire(timeout=max(0.0, timeout)):
            raise _busy_writing(timeout)
        try:
            if self.path is not None and not _tried(self._lock_writer, deadline, _WRITER_POLL_S):
                raise _busy_writing(timeout)
            try:
                yield max(0.0, deadline - time.monotonic())
            finally:
                if self.path is not None:
                    self._unlock(WRITER)
        finally:
            writer.release()

    def _lock_writer(self) -> bool:
        with self._mutex:
            return self._try_lock(WRITER)

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
        if not _tried(lambda: self._claim(slot), deadline, _POLL_S):
            raise _busy(session_id, timeout)
        return slot

    def _claim(self, slot: int) -> bool:
        with self._mutex:
            if self._bytes.get(slot):  # this process holds it already, for a colliding session
                self._bytes[slot] += 1
                return True
            if self._try_lock(slot):
                self._bytes[slot] = 1
                return True
            return False

    def _give_byte(self, slot: int) -> None:
        with self._mutex:
            self._bytes[slot] -= 1
            if self._bytes[slot] == 0:
                del self._bytes[slot]
                self._unlocked(slot)

    def _unlock(self, slot: int) -> None:
        with self._mutex:
            self._unlocked(slot)

    def _unlocked(self, slot: int) -> None:
        """Release ``slot`` (the caller holds ``_mutex``); nothing to do once the file was closed."""
        if self._fd is not None:
            fcntl.lockf(self._fd, fcntl.LOCK_UN, 1, slot)

    def _try_lock(self, slot: int) -> bool:
        descriptor = self._file()
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, slot)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                return False
            raise
        return True

    def _file(self) -> int:
        """This process's descriptor of the lock file, opened on first use."""
        if self._fd is None:
            assert self.path is not None
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError as exc:
                raise StoreError(
                    f"cannot open the lock file {self.path} beside the session database: {exc.strerror}; "
                    "the server must be able to write it, so check the folder's permissions."
                ) from exc
        return self._fd

    def touch(self) -> None:
        """Create the lock file: it also marks the database beside it as in use (see ``sqlite_files``)."""
        if self.path is not None:
            self.path.touch(mode=0o600, exist_ok=True)

    def close(self) -> None:
        with self._mutex:
            if self._fd is not None:
                os.close(self._fd)
            self._fd = None


_ALL: weakref.WeakSet[SessionLocks] = weakref.WeakSet()
"""Every ``SessionLocks`` of this process, to reset in a forked child."""


def _forget_parents() -> None:
    for locks in list(_ALL):
        locks._forget_parent()


os.register_at_fork(after_in_child=_forget_parents)


def _tried(attempt: Callable[[], bool], deadline: float, pauses: tuple[float, ...]) -> bool:
    """Call ``attempt`` until it succeeds, pausing between tries as ``pauses`` say (the last one
    repeats); False once ``deadline`` (``time.monotonic``) has passed."""
    tries = 0
    while not attempt():
        if time.monotonic() >= deadline:
            return False
        time.sleep(pauses[min(tries, len(pauses) - 1)])
        tries += 1
    return True


def _busy_writing(timeout: float) -> BusyError:
    return BusyError(
        f"other writers held the session database for over {timeout:g} s; try again, or raise busy_timeout."
    )


def _busy(session_id: str, timeout: float) -> BusyError:
    return BusyError(
        f"session {session_id} stayed busy with another turn for {timeout:g} s; try the turn again."
    )
