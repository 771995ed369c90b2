"""One knowledge index shared by several processes (gunicorn workers, ``voice knowledge import`` beside a
server): they build it once, their builds never collide, and a process asking meanwhile never fails."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from multiprocessing.queues import Queue
from pathlib import Path

import pytest

import voice.knowledge.base
from voice.knowledge import Entry, KnowledgeBase

from .knowledge_support import write_skill

FAQ = """
- id: hours
  question: When are you open?
  answer: We are open from nine to five.
- id: shipping
  question: How much does shipping cost?
  answer: Shipping costs 4.95 euros.
"""
RETURNS = """
- id: returns
  question: How do I return something?
  answer: Send it back within 30 days.
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


def test_a_question_during_other_processes_rebuilds_is_answered_and_gets_the_new_content(
    tmp_path: Path,
) -> None:
    skill = write_skill(tmp_path, "en", {"faq.yaml": FAQ})
    reader = KnowledgeBase.load(skill, "en", use_model=False)
    _change(skill, FAQ.replace("nine to five", "ten to six"))
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
    assert "ten to six" in reader.rank("when are you open")[0].text, "the reader took the other's build"


def test_content_copied_in_during_a_build_is_built_by_the_next_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    skill = write_skill(tmp_path, "en", {"faq.yaml": FAQ})
    read = voice.knowledge.base.load_content

    def read_then_copy_in(folder: Path) -> tuple[Entry, ...]:
        entries = read(folder)
        _change(skill, RETURNS, name="more.yaml")  # another import, while this build runs
        return entries

    monkeypatch.setattr(voice.knowledge.base, "load_content", read_then_copy_in)
    KnowledgeBase.load(skill, "en", use_model=False)
    monkeypatch.setattr(voice.knowledge.base, "load_content", read)
    again = KnowledgeBase.load(skill, "en", use_model=False)
    assert again.built is not None and any(entry.id == "returns" for entry in again.entries)


def test_an_index_folder_of_an_older_version_is_replaced_by_a_link(tmp_path: Path) -> None:
    skill = write_skill(tmp_path, "en", {"faq.yaml": FAQ})
    kb = KnowledgeBase.load(skill, "en", use_model=False)
    version = kb.index_dir.resolve()
    kb.index_dir.unlink()
    shutil.copytree(version, kb.index_dir)  # as the index was stored before versions
    shutil.rmtree(version)
    assert KnowledgeBase.load(skill, "en", use_model=False).built is None, "a current plain folder is used"
    kb.rebuild()
    assert kb.index_dir.is_symlink() and kb.rank("how much is shipping")[0].id == "shipping"


def _change(skill: Path, text: str, name: str = "faq.yaml") -> None:
    """Write a content file in one step, with a later modification time than the index has seen."""
    path = skill / "knowledge" / "en" / name
    staged = path.with_suffix(".tmp")
    staged.write_text(text, encoding="utf-8")
    later = time.time_ns() + 10**9
    os.utime(staged, ns=(later, later))
    os.replace(staged, path)
