"""Answering within the channel's deadline without losing a slow answer.

The whole turn (waiting for its session, the store, the handler) runs in a worker thread;
when the turn's time is up, the caller hears a short "one moment" and the turn keeps running.
``on_abandon`` is called at that moment, and the reply is handed to ``on_late`` when it comes,
so the dialog can store it and speak it at the next turn.

The hop to the worker is on every webhook turn, so it is a plain lock and queue rather than
``concurrent.futures`` (about 8 µs instead of 40 µs a call). A turn goes to the worker that finished
last: each worker thread has its own SQLite connection, whose page cache a write by any other
connection empties, so turns that hop between threads read their pages again at every turn.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from queue import Empty, SimpleQueue

from ..reply import Reply

_LOGGER = logging.getLogger(__name__)

SAFETY_MARGIN_S = 0.3
"""Time kept back to render and send the reply."""
MAX_WORKERS = 8
"""Handlers that can run at once per process; more wait for a free worker."""


def run_within(
    handler: Callable[[], Reply],
    remaining: float | None,
    on_late: Callable[[Reply], None],
    on_abandon: Callable[[], None] = lambda: None,
) -> Reply | None:
    """The handler's reply, or None when ``remaining`` seconds were not enough (then ``on_late`` gets it)."""
    if remaining is None:
        return handler()
    task = _Task(handler, on_late, on_abandon)
    _POOL.submit(task)
    if task.done.acquire(timeout=max(0.0, remaining - SAFETY_MARGIN_S)) or not task.abandon():
        return task.outcome()
    return None


class _Task:
    """One handler call; ``done`` is released when it finished in time."""

    __slots__ = (
        "abandoned",
        "done",
        "error",
        "finished",
        "guard",
        "handler",
        "on_abandon",
        "on_late",
        "reply",
    )

    def __init__(
        self, handler: Callable[[], Reply], on_late: Callable[[Reply], None], on_abandon: Callable[[], None]
    ) -> None:
        self.handler, self.on_late, self.on_abandon = handler, on_late, on_abandon
        self.done = threading.Lock()
        self.done.acquire()
        self.guard = threading.Lock()
        self.finished = self.abandoned = False
        self.reply: Reply | None = None
        self.error: BaseException | None = None

    def run(self, free: Callable[[], None]) -> None:
        """Run the handler; ``free`` is called once the worker can take the next task: before the caller
        wakes (so its next turn finds this warm worker free), or after a late reply was delivered."""
        try:
            self.reply = self.handler()
        except BaseException as exc:  # handed to the caller, or logged when it is gone
            self.error = exc
        with self.guard:
            self.finished = True
            late = self.abandoned
        if not late:
            free()
            self.done.release()
            return
        if self.error is not None:
            _LOGGER.error("a handler failed after its deadline", exc_info=self.error)
        else:
            _deliver_late(self)
        free()

    def abandon(self) -> bool:
        """Give up waiting; False when the handler finished just now (then its outcome is used)."""
        with self.guard:
            self.abandoned = not self.finished
            if self.abandoned:
                self.on_abandon()
            return self.abandoned

    def outcome(self) -> Reply:
        if self.error is not None:
            raise self.error
        assert self.reply is not None
        return self.reply


def _deliver_late(task: _Task) -> None:
    try:
        assert task.reply is not None
        task.on_late(task.reply)
    except Exception:
        _LOGGER.exception("a late handler reply could not be kept")


class _Workers:
    """Up to ``MAX_WORKERS`` daemon threads, started as needed (and afresh in a forked child); a task goes
    to the worker that became free last (its connection's page cache is the warm one)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget the threads (and a lock one of them may hold): a forked child has none of them."""
        self.queue: SimpleQueue[_Task] = SimpleQueue()
        """Tasks that found every worker busy, taken by the first to be free."""
        self.free: list[SimpleQueue[_Task]] = []
        """The inboxes of the free workers, the one free last at the end."""
        self.lock = threading.Lock()
        self.done = threading.Condition(self.lock)
        self.started = self.unfinished = 0

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every submitted turn has finished (late ones included); False after ``timeout``."""
        with self.done:
            return self.done.wait_for(lambda: self.unfinished == 0, timeout)

    def submit(self, task: _Task) -> None:
        with self.lock:
            self.unfinished += 1
            if self.free:
                self.free.pop().put(task)
                return
            if self.started < MAX_WORKERS:
                self.started += 1
                inbox: SimpleQueue[_Task] = SimpleQueue()
                inbox.put(task)
                name = f"voice-handler-{self.started}"
                threading.Thread(target=self._work, args=(inbox,), name=name, daemon=True).start()
                return
            self.queue.put(task)

    def _work(self, inbox: SimpleQueue[_Task]) -> None:
        while True:
            inbox.get().run(lambda: self._finished(inbox))

    def _finished(self, inbox: SimpleQueue[_Task]) -> None:
        """A worker is free: it takes a waiting task, or waits for one in ``free``."""
        with self.lock:
            self.unfinished -= 1
            self.done.notify_all()
            try:
                inbox.put(self.queue.get_nowait())
            except Empty:
                self.free.append(inbox)


_POOL = _Workers()
os.register_at_fork(after_in_child=_POOL.reset)


def wait_for_turns(timeout: float) -> bool:
    """Wait for the turns still running in this process (those that answered "one moment" too), so
    a stopping worker does not cut one off between its booking and its commit; False after ``timeout``."""
    return _POOL.wait_idle(timeout)
