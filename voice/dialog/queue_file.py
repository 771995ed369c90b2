"""The handoff queue file: one JSON line per record, shared by every worker of this host.

Each write holds an exclusive ``flock`` on the file. ``forget`` (a GDPR erasure) and ``purge`` (records
past retention, ``voice data purge``) write the lines they keep, byte for byte, to a file beside the
queue and rename it over the queue while they hold that lock, so a reader sees the old file or the new
one, never half of one. A writer that was waiting for the lock on the file that was replaced sees so
after it gets the lock (the path no longer leads to the file it opened) and opens the queue again, so
no record is appended to a file already gone. The outbox sender asks under that lock whether the
record is still in the store's outbox (``deliver_if``): ``forget`` erases the store first, so a record
on its way during an erasure is either written before the rewrite (and removed by it) or not at all.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import logging
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from .handoff import HandoffRecord, HandoffSink

__all__ = ["QueueFileSink"]

_LOGGER = logging.getLogger(__name__)


class QueueFileSink(HandoffSink):
    """Appends records as JSON lines to a file that the team's tools read (locked, so workers share it)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def deliver(self, record: HandoffRecord) -> bool:
        return self.deliver_if(record, lambda: True)

    def deliver_if(self, record: HandoffRecord, still_wanted: Callable[[], bool]) -> bool:
        """Append ``record`` unless ``still_wanted()``, asked under the lock ``forget`` rewrites with,
        says it was erased: an erasure that took it from the outbox while it was on its way would
        otherwise find no line to remove and leave the line written after it."""
        line = json.dumps(record.to_dict(), ensure_ascii=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._locked("ab", fcntl.LOCK_EX) as queue:
                if still_wanted():
                    queue.write(line.encode("utf-8"))
                    queue.flush()
        except OSError:
            _LOGGER.exception("handoff record for session %s could not be queued", record.session_id)
            return False
        return True

    def records_of(self, user_id: str) -> list[dict[str, Any]]:
        """The records of ``user_id`` in the file, oldest first (for an access request)."""
        try:
            with self._locked("rb", fcntl.LOCK_SH) as queue:
                data = queue.read()
        except FileNotFoundError:
            return []
        return [record for line in io.BytesIO(data) if (record := _record_of(line, user_id)) is not None]

    def forget(self, user_id: str) -> int:
        """Remove the records of ``user_id`` from the file; return how many went. The other lines stay
        byte for byte; a file without such records is not touched."""
        return self._remove(lambda line: _record_of(line, user_id) is not None)

    def purge(self, before: datetime) -> int:
        """Remove the records whose ``time`` is before ``before`` (retention); return how many went.
        A line without a readable time is kept: nothing says it has expired."""
        return self._remove(lambda line: _older(line, before))

    def _remove(self, goes: Callable[[bytes], bool]) -> int:
        """Remove the lines ``goes`` picks, rewriting the file under the workers' lock; how many went."""
        try:
            with self._locked("rb", fcntl.LOCK_EX) as queue:
                lines = list(io.BytesIO(queue.read()))
                kept = [line for line in lines if not goes(line)]
                if len(kept) < len(lines):
                    _replace(self.path, b"".join(kept), os.fstat(queue.fileno()).st_mode)
        except FileNotFoundError:
            return 0
        return len(lines) - len(kept)

    @contextlib.contextmanager
    def _locked(self, mode: str, lock: int) -> Iterator[IO[bytes]]:
        """The queue file, opened in ``mode`` and locked; opened again when ``forget`` replaced the file
        while this waited for the lock."""
        while True:
            with self.path.open(mode) as queue:
                fcntl.flock(queue, lock)
                if _same_file(self.path, queue):
                    yield queue
                    return


def _same_file(path: Path, opened: IO[bytes]) -> bool:
    """Whether ``path`` still leads to the file ``opened`` is."""
    try:
        return os.stat(path).st_ino == os.fstat(opened.fileno()).st_ino
    except FileNotFoundError:
        return False


def _record_of(line: bytes, user_id: str) -> dict[str, Any] | None:
    """The record on ``line`` when it is one of ``user_id``'s; a line that is not a record is nobody's."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) and record.get("user_id") == user_id else None


def _older(line: bytes, before: datetime) -> bool:
    """Whether ``line`` is a record whose ``time`` (ISO 8601; UTC when it names no zone) is before
    ``before``."""
    try:
        record = json.loads(line)
        time = datetime.fromisoformat(record["time"])
    except (ValueError, TypeError, KeyError):
        return False
    return (time if time.tzinfo else time.replace(tzinfo=UTC)) < before


def _replace(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` beside ``path`` (with its permissions), flush it to disk and rename it over ``path``."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, mode & 0o7777)  # as the queue was, whatever the umask
        with open(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
