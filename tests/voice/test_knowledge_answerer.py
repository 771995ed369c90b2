"""The knowledge answerer in a server: no caller waits for a knowledge base to load or build."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from voice import Turn, load_skill
from voice.dialog.knowledge import knowledge_answerer
from voice.knowledge import KnowledgeBase
from voice.state import DialogState


def test_a_server_never_waits_for_the_knowledge_to_load() -> None:
    skill = load_skill("customer_service")
    answerer = knowledge_answerer([skill], background=True)
    assert answerer is not None and answerer._loading is not None
    question = Turn(text="wat kost verzending naar belgie", locale="nl")
    started = time.monotonic()
    early = answerer.answer(question, DialogState())
    assert time.monotonic() - started < 3.0, "a question before the content is loaded does not wait for it"
    answerer._loading.join(120)
    later = answerer.answer(question, DialogState())
    assert later is not None and "België" in later.reply.text
    # before the knowledge is loaded: the fallback (None); while a missing index is built: the keywords'
    # offer; on a fast machine: the answer already
    offered = early.state.offer.candidates[0] if early is not None and early.state.offer else None
    assert early is None or offered == "verzending-belgie" or early.reply.text == later.reply.text


def test_the_command_line_loads_the_knowledge_on_the_first_question() -> None:
    answerer = knowledge_answerer([load_skill("customer_service")])
    assert answerer is not None and answerer._loading is None
    found = answerer.answer(Turn(text="how much is shipping to belgium", locale="en"), DialogState())
    assert found is not None and "Belgium" in found.reply.text


def test_a_server_answers_from_keywords_while_the_stored_index_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first build with the model takes minutes for large content: meanwhile the keywords answer."""
    monkeypatch.setenv("VOICE_KNOWLEDGE_DIR", str(tmp_path / "index"))  # nothing stored: a build is due
    building, finish = threading.Event(), threading.Event()
    build = KnowledgeBase._build

    def held_build(self: KnowledgeBase) -> float:
        building.set()
        finish.wait(60)
        return build(self)

    monkeypatch.setattr(KnowledgeBase, "_build", held_build)
    answerer = knowledge_answerer([load_skill("customer_service")], background=True)
    assert answerer is not None and answerer._loading is not None and building.wait(60)
    question = Turn(text="wat kost verzending naar belgie", locale="nl")
    during = answerer.answer(question, DialogState())
    assert during is not None and during.state.offer is not None, "the keyword index offers the answer"
    assert during.state.offer.candidates[0] == "verzending-belgie"
    finish.set()
    answerer._loading.join(120)
    after = answerer.answer(question, DialogState())
    assert after is not None and "België" in after.reply.text, "the built index answers at once"
