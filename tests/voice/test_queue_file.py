"""The handoff queue file: appends from several writers and an erasure that rewrites it lose nothing."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

from handoff_records import handoff_record

from voice.dialog import HandoffRecord, QueueFileSink


def _record(user_id: str, number: int) -> HandoffRecord:
    return handoff_record(
        f"{user_id}-{number}",
        user_id=user_id,
        session_id=f"s{number}",
        time=dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC),
    )


def test_an_erasure_while_another_worker_appends_loses_none_of_its_records(tmp_path: Path) -> None:
    """A writer waiting for the lock on the file that ``forget`` replaced writes to the new file."""
    queue = tmp_path / "handoff.jsonl"
    kept = 300

    def append() -> None:
        writer = QueueFileSink(queue)  # its own open file per record, as another worker's
        for number in range(kept):
            assert writer.deliver(_record("bob", number))

    worker = threading.Thread(target=append)
    worker.start()
    eraser = QueueFileSink(queue)
    while worker.is_alive():
        eraser.deliver(_record("anna", 0))
        eraser.forget("anna")
    worker.join()
    eraser.forget("anna")
    ids = [json.loads(line)["id"] for line in queue.read_text(encoding="utf-8").splitlines()]
    assert ids == [f"bob-{number}" for number in range(kept)]


def test_an_erasure_waits_while_a_writer_asks_whether_its_record_is_still_wanted(tmp_path: Path) -> None:
    """The question and the append hold the lock together: an erasure that comes between them waits,
    and removes the line, instead of leaving one appended after it."""
    queue = tmp_path / "handoff.jsonl"
    eraser = QueueFileSink(queue)
    eraser.deliver(_record("bob", 0))
    erasing = threading.Thread(target=eraser.forget, args=("anna",))

    def erasure_comes_in_between() -> bool:
        erasing.start()
        erasing.join(0.5)  # long enough for an erasure that did not wait
        return True

    assert QueueFileSink(queue).deliver_if(_record("anna", 1), erasure_comes_in_between)
    erasing.join()
    users = [json.loads(line)["user_id"] for line in queue.read_text(encoding="utf-8").splitlines()]
    assert users == ["bob"]


def test_a_record_no_longer_wanted_is_not_written(tmp_path: Path) -> None:
    sink = QueueFileSink(tmp_path / "handoff.jsonl")
    assert sink.deliver_if(_record("anna", 0), lambda: False)
    assert sink.path.read_bytes() == b""


def test_a_queue_that_is_not_there_has_nothing_to_forget(tmp_path: Path) -> None:
    sink = QueueFileSink(tmp_path / "handoff.jsonl")
    assert (sink.forget("anna"), sink.records_of("anna")) == (0, [])
    assert sink.purge(dt.datetime.now(dt.UTC)) == 0
    assert not sink.path.exists()
