"""Answering within the channel's deadline without losing a slow answer.

A handler runs in a worker thread; when the turn's time is up, the caller hears a short
"one moment" and the handler keeps running. Its reply is handed to ``on_late`` when it
comes, so the dialog can store it and speak it at the next turn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from ..reply import Reply

_LOGGER = logging.getLogger(__name__)
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="voice-handler")

SAFETY_MARGIN_S = 0.3
"""Time kept back to render and send the reply."""


def run_within(
    handler: Callable[[], Reply],
    remaining: float | None,
    on_late: Callable[[Reply], None],
) -> Reply | None:
    """The handler's reply, or None when ``remaining`` seconds were not enough (then ``on_late`` gets it)."""
    if remaining is None:
        return handler()
    future = _POOL.submit(handler)
    try:
        return future.result(timeout=max(0.0, remaining - SAFETY_MARGIN_S))
    except FutureTimeout:
        future.add_done_callback(lambda done: _deliver_late(done, on_late))
        return None


def _deliver_late(done: Future[Reply], on_late: Callable[[Reply], None]) -> None:
    try:
        on_late(done.result())
    except Exception:
        _LOGGER.exception("a late handler reply could not be kept")
