"""One knowledge index shared by several processes (gunicorn workers, ``voice knowledge import`` beside a
server): they build it once, their builds never collide, and a process asking meanwhile never fails."""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing.queues import Queue
from pathlib import Path

from voice.knowledge import KnowledgeBase

from .knowledge_support import write_skill

FAQ = """
- id: hours
  question: When are you open?
  answer: We are open from nine to five.
- id: shipping
  question: How much does shipping cost?
  answer: Shipping costs 4.95 euros.
"""
_FORK = multiprocessing.get_context("fork")


def _load(skill: Path, built: Queue[bool]) -> None:
    built.put(KnowledgeBase.load(skill, "en", use_model=False).built is not None)


def _rebuild(skill: Path, times: int) -> None:
    kb = KnowledgeBase.load(skill, "en", use_model=False)
    for _ in range(times):
        kb.rebuild()


def test_workers_starting_at_once_build_the_index_once(tmp_path: Path) -> None:
    skill = write_skill(tmp_path, "en", {"faq.yaml": FAQ})
    built: Queue[bool] = _FORK.Queue()
    workers = [_FORK.Process(target=_load, args=(skill, built)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(built.get(timeout=5) for _ in workers) == [False, False, False, True]


def test_a_question_during_other_processes_rebuilds_is_always_answered(tmp_path: Path) -> None:
    skill = write_skill(tmp_path, "en", {"faq.yaml": FAQ})
    reader = KnowledgeBase.load(skill, "en", use_model=False)
    builders = [_FORK.Process(target=_rebuild, args=(skill, 25)) for _ in range(2)]
    for builder in builders:
        builder.start()
    asked = 0
    while any(builder.is_alive() for builder in builders) or not asked:
        assert reader.rank("when are you open")[0].id == "hours"
        asked += 1
        time.sleep(0.001)
    assert [builder.exitcode for builder in builders] == [0, 0], "a build failed"
    versions = sorted(path.name for path in reader.index_dir.parent.iterdir() if ".v" in path.name)
    assert len(versions) <= 2, f"old index versions are removed: {versions}"
    assert reader.rank("how much is shipping")[0].id == "shipping" and asked > 10
