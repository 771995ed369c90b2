"""The knowledge answerer in a server: no caller waits for a knowledge base to load or build."""

from __future__ import annotations

import subprocess
import sys
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
    assert answerer is not None
    question = Turn(text="wat kost verzending naar belgie", locale="nl")
    started = time.monotonic()
    early = answerer.answer(question, DialogState())
    assert time.monotonic() - started < 3.0, "a question before the content is loaded does not wait for it"
    assert answerer.wait(120)
    later = answerer.answer(question, DialogState())
    assert later is not None and "België" in later.reply.text
    # while a missing index is built: the keywords' offer; with a current one: the answer already
    assert early is not None, "the keywords or the stored index answer from the start"
    offered = early.state.offer.candidates[0] if early.state.offer else None
    assert offered == "verzending-belgie" or early.reply.text == later.reply.text


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


FALLBACK = Path(__file__).resolve().parents[2] / "fixtures" / "requests" / "dialogflow" / "fallback_nl.json"
FIRST_QUESTION = """
import json, sys
from voice.server import create_app
app = create_app({"VOICE_CONFIG": sys.argv[1], "ALEXA_VERIFY": False})
body = json.loads(open(sys.argv[2], encoding="utf-8").read())
body["queryResult"]["queryText"] = "wat kost verzending naar belgie"
print(app.test_client().post("/dialogflow", json=body).get_json()["fulfillmentText"])
"""
"""A server's first request, sent as soon as the app is built, in a new process (the model not loaded)."""


def test_a_question_at_once_after_the_start_is_answered_from_a_current_index(tmp_path: Path) -> None:
    """7 of 8 questions sent in the first second after a start were "Sorry": the stored index, current,
    was still loading in the background (the model takes about a second to load)."""
    for language in ("nl", "en"):  # the stored index, current, in the session's cache (XDG_CACHE_HOME)
        KnowledgeBase.load(load_skill("customer_service").root, language)
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["customer_service"]\nstore = "sqlite:///{tmp_path / "s.db"}"\n')
    done = subprocess.run(
        [sys.executable, "-c", FIRST_QUESTION, str(config), str(FALLBACK)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("Verzending naar België kost"), done.stdout
