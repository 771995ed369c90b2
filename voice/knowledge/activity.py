"""Work inside the embedding model's native code, counted so that an exiting process can wait for it.

Light on purpose (no numpy, no ONNX Runtime): the dialog's background loader uses it at exit too.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import EmbedderClosed


class ModelWork:
    """Work inside ONNX Runtime, counted so that the process can wait for it at exit: the runtime aborts
    the process (SIGABRT) when the interpreter shuts down while a daemon thread runs a session, as a
    knowledge build does when a command ends before it."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.running = 0
        self.closed = False

    @contextmanager
    def inside(self) -> Iterator[None]:
        with self.changed:
            if self.closed:
                raise EmbedderClosed("the embedding model takes no more work: the process is exiting.")
            self.running += 1
        try:
            yield
        finally:
            with self.changed:
                self.running -= 1
                self.changed.notify_all()

    def close(self, timeout: float = 30.0) -> None:
        """Let no new work in and wait for what runs (one run of at most 512 tokens on each core)."""
        with self.changed:
            self.closed = True
            self.changed.wait_for(lambda: self.running == 0, timeout)


MODEL_WORK = ModelWork()
atexit.register(MODEL_WORK.close)
