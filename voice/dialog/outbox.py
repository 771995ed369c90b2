"""Delivering handoff records after the turn, so a slow or broken endpoint never delays a caller.

The dialog saves a handoff record in the store's outbox in the same transaction as the turn
that decided it, then wakes this process's ``OutboxSender``. The sender claims due items
(a claim is a lease in the store, so two worker processes never deliver the same item at
once), hands each to the sink, and marks it delivered, or due again after a back-off that
doubles up to ``MAX_BACKOFF_S``. Items a dead process had claimed come due when their lease ends.
Delivery is at least once; the record's id, sent as ``Idempotency-Key``, lets a receiver take it once.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from ..store import OutboxItem, Store
from .handoff import HandoffRecord, HandoffSink

__all__ = ["MAX_BACKOFF_S", "OutboxSender"]

_LOGGER = logging.getLogger(__name__)

LEASE_S = 60.0
"""How long a claimed item is this sender's; longer than any one delivery takes."""
POLL_S = 5.0
"""How often the sender looks for items that came due (retries, or those of a dead process)."""
MAX_BACKOFF_S = 300.0
BATCH = 20


class OutboxSender:
    """A daemon thread per process that delivers the store's outbox through ``sink``."""

    def __init__(self, store: Store, sink: HandoffSink, *, poll_s: float = POLL_S) -> None:
        """Starts the thread at once: records a stopped process left in the outbox go out now too."""
        self.store, self.sink, self.poll_s = store, sink, poll_s
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._lock = threading.Lock()
        self.notify()

    def notify(self) -> None:
        """Something was added: deliver it now (starting the thread in this process if needed)."""
        with self._lock:
            if self._thread is None or self._pid != os.getpid():
                self._pid = os.getpid()
                self._stopping.clear()
                self._thread = threading.Thread(target=self._run, name="voice-outbox", daemon=True)
                self._thread.start()
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Deliver what is due (for up to ``timeout`` seconds: a chat that ended in a handoff has its
        record out before the command returns), then stop; what is left goes out from the next start."""
        if self._thread is not None and self._pid == os.getpid() and not self.store.closed:
            self._deliver_what_is_due(timeout)
        self._stopping.set()
        self._wake.set()
        if self._thread is not None and self._pid == os.getpid():
            self._thread.join(timeout)
        self._thread = None

    def deliver_due(self) -> int:
        """Deliver what is due now, once; the number of items tried."""
        now = self.store.clock()
        items = self.store.claim_outbox(now, limit=BATCH, lease_s=LEASE_S)
        for item in items:
            error = self._deliver(item)
            backoff = min(2.0**item.attempts, MAX_BACKOFF_S)
            self.store.finish_outbox(
                item.id, delivered=not error, next_at=self.store.clock() + backoff, error=error
            )
        return len(items)

    def drain(self, timeout: float = 5.0) -> bool:
        """Deliver until nothing is pending (or ``timeout``); True when the outbox is empty.

        For tests and shutdown: the thread delivers on its own, this waits for it.
        """
        deadline = time.monotonic() + timeout
        while self.store.outbox_counts()["pending"]:
            if not self.deliver_due() and time.monotonic() >= deadline:
                return False
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    def _deliver_what_is_due(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline and self.deliver_due():
                pass
        except Exception:  # stopping anyway: what is left goes out from the next start
            _LOGGER.exception("the handoff outbox could not be emptied before stopping")

    def _deliver(self, item: OutboxItem) -> str:
        """One attempt; what went wrong, or "" when the sink took it. A record that cannot be read
        (or a sink that raises) fails alone: the other items of the batch still go."""
        try:
            record = HandoffRecord.from_dict(item.payload)
        except (KeyError, TypeError, ValueError) as exc:
            _LOGGER.error(
                "handoff record %s in the outbox cannot be read (%s); it is kept for a person", item.id, exc
            )
            return f"the record cannot be read: {exc}"
        try:
            if self.sink.deliver_if(record, lambda: self.store.in_outbox(item.id)):
                return ""
            _LOGGER.error(
                "handoff record for session %s was not delivered; it is tried again later", record.session_id
            )
            return "the sink did not take it"
        except Exception as exc:  # a failed attempt, tried again later
            _LOGGER.exception("handoff record %s could not be delivered", record.id)
            return f"the sink failed: {exc!r}"

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                tried = self.deliver_due()
            except Exception:  # the store failed: keep the thread, try again at the next poll
                if self.store.closed:  # nothing more to send from this one
                    return
                _LOGGER.exception("the handoff outbox failed; trying again in %g s", self.poll_s)
                tried = 0
            if not tried:
                self._wake.wait(self.poll_s)
                self._wake.clear()
