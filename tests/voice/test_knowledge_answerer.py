"""The knowledge answerer in a server: no caller waits for a knowledge base to load or build."""

from __future__ import annotations

import time

from voice import Turn, load_skill
from voice.dialog.knowledge import knowledge_answerer
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
    assert early is None or early.reply.text == later.reply.text  # loaded already, on a fast machine


def test_the_command_line_loads_the_knowledge_on_the_first_question() -> None:
    answerer = knowledge_answerer([load_skill("customer_service")])
    assert answerer is not None and answerer._loading is None
    found = answerer.answer(Turn(text="how much is shipping to belgium", locale="en"), DialogState())
    assert found is not None and "Belgium" in found.reply.text
