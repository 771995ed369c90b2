"""The deadline's worker threads: a turn goes to the worker that finished last."""

from __future__ import annotations

import threading

from voice.dialog.deadline import run_within
from voice.reply import Reply


def test_turns_one_after_another_run_on_one_worker() -> None:
    """Each worker has its own SQLite connection, whose page cache another connection's write empties:
    turns that took turns between two free workers read every page again (the store's cost grew with
    its size). After two turns at once, the next ones run on the worker that finished last."""
    both = threading.Barrier(2, timeout=5)
    threads: list[int] = []

    def together() -> Reply:
        both.wait()  # two workers busy at once: afterwards both are free
        return Reply(speech="ok")

    def alone() -> Reply:
        threads.append(threading.get_ident())
        return Reply(speech="ok")

    callers = [threading.Thread(target=run_within, args=(together, 5.0, _ignore)) for _ in range(2)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    for _ in range(50):
        assert run_within(alone, 5.0, _ignore) == Reply(speech="ok")
    assert len(set(threads)) == 1


def _ignore(reply: Reply) -> None:
    """No turn here is late."""
