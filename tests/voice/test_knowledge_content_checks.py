"""Broken knowledge content is found by the skill checks (start-up, ``voice check``), content that
cannot be loaded anyway is left out of the dialog instead of failing every unmatched turn, and what
readable content looks like on a screen."""

from __future__ import annotations

import logging
import textwrap
import uuid
from pathlib import Path

import pytest

from voice import Router, SkillError, Turn, load_skill
from voice.dialog.knowledge import knowledge_answerer
from voice.skill_check import check_skills, skill_problems
from voice.state import DialogState, Offer

FAQ = """\
- id: hours
  question: When is the store open?
  answer: Every day from 9 to 5.
"""
OTHER = """\
- id: hours
  question: Can I park at the store?
  answer: There is a car park behind the store.
"""


@pytest.fixture(autouse=True)
def _private_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICE_KNOWLEDGE_DIR", str(tmp_path / "knowledge-index"))


def _skill(root: Path, content: dict[str, str]) -> Path:
    """A small skill in English under a folder name no other test uses, with ``content`` files
    (path under knowledge/ -> text)."""
    name = f"kcheck_{uuid.uuid4().hex[:10]}"
    folder = root / name
    (folder / "locales" / "en").mkdir(parents=True)
    (folder / "__init__.py").write_text(f"from voice import Skill\nskill = Skill({name!r}, __file__)\n")
    (folder / "locales" / "en" / "intents.yaml").write_text(
        textwrap.dedent("""
            language: en
            intents:
              Hello:
                data: [{sentences: ["hello there"]}]
        """)
    )
    (folder / "locales" / "en" / "responses.yaml").write_text("responses:\n  Hello: 'Hi.'\n")
    for relative, text in content.items():
        (folder / "knowledge" / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / "knowledge" / relative).write_text(text, encoding="utf-8")
    return folder


def test_content_that_reads_is_no_problem(tmp_path: Path) -> None:
    folder = _skill(tmp_path, {"en/faq.yaml": FAQ, "eval/en.yaml": "language: en\n"})
    assert skill_problems(Router([load_skill(folder)])) == []


def test_a_duplicate_id_is_a_skill_problem_naming_the_file_and_fix(tmp_path: Path) -> None:
    folder = _skill(tmp_path, {"en/faq.yaml": FAQ, "en/more.yaml": OTHER})
    problems = [problem.message for problem in skill_problems(Router([load_skill(folder)]))]
    assert len(problems) == 1
    assert (
        "more.yaml, 'Can I park at the store?': the id 'hours' is used in faq.yaml too; "
        "give one of them another id." in problems[0]
    )
    with pytest.raises(SkillError, match="the id 'hours' is used in faq.yaml too"):
        check_skills(Router([load_skill(folder)]))  # what the start-up does


def test_a_bad_file_and_an_unknown_language_are_skill_problems(tmp_path: Path) -> None:
    folder = _skill(tmp_path, {"en/faq.yaml": "- question: 'Open?'\n", "xx/faq.yaml": FAQ})
    problems = [problem.message for problem in skill_problems(Router([load_skill(folder)]))]
    assert len(problems) == 2
    assert "faq.yaml, entry 1: the answer is missing or empty; add it." in problems[0]
    assert "no knowledge lexicon for language 'xx'" in problems[1] and "Rename the folder" in problems[1]


def test_broken_content_is_left_out_of_the_dialog_with_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _skill(tmp_path, {"en/faq.yaml": FAQ, "en/more.yaml": OTHER})
    answerer = knowledge_answerer([load_skill(folder)])
    assert answerer is not None
    turn = Turn(text="when is the store open", locale="en")
    with caplog.at_level(logging.ERROR, logger="voice.dialog.knowledge"):
        assert answerer.answer(turn, DialogState()) is None  # on to the fallback: no exception
        assert answerer.answer(turn, DialogState()) is None
    lines = [r.getMessage() for r in caplog.records if r.name == "voice.dialog.knowledge"]
    assert len(lines) == 1 and "is not used" in lines[0] and "the id 'hours'" in lines[0]


def test_an_answer_card_shows_a_markdown_link_as_its_text_and_address(tmp_path: Path) -> None:
    """A card is plain text on every channel (an Alexa Simple card, Dialogflow's card, chat)."""
    faq = (
        "- question: Where is the waste calendar?\n"
        "  answer: See the [waste calendar](https://example.com/calendar) for your street.\n"
    )
    answerer = knowledge_answerer([load_skill(_skill(tmp_path, {"en/faq.yaml": faq}))])
    assert answerer is not None
    found = answerer.answer(Turn(text="Where is the waste calendar?", locale="en"), DialogState())
    assert found is not None and found.reply.card is not None
    assert found.reply.card.text == "See the waste calendar (https://example.com/calendar) for your street."


WARRANTY_PAGES = {
    "en": """<html><head><title>Warranty and repairs - Jansen Bikes</title></head><body><main>
<h2>How long is my warranty?</h2><p>Two years on every bike, five years on the frame.</p>
<h2>Repair costs</h2><p>Within the warranty a repair is free; otherwise 45 euros an hour.</p>
</main></body></html>""",
    "nl": """<html><head><title>Garantie en reparatie | Fietsenwinkel Jansen</title></head><body><main>
<h2>Hoe lang heb ik garantie?</h2><p>Twee jaar op elke fiets, vijf jaar op het frame.</p>
<h2>Kosten van een reparatie</h2><p>Binnen de garantie is een reparatie gratis; anders 45 euro per uur.</p>
</main></body></html>""",
}
OFFERED = {
    "en": ["Do you mean: how long is my warranty?", "Do you mean: Warranty and repairs, repair costs?"],
    "nl": [
        "Bedoelt u: hoe lang heb ik garantie?",
        "Bedoelt u: Garantie en reparatie, kosten van een reparatie?",
    ],
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_page_passage_is_offered_in_words_a_caller_hears_naturally(tmp_path: Path, language: str) -> None:
    """Callers heard "Bedoelt u: Garantie en reparatie: hoe lang heb ik garantie?": the page's title
    and a colon after the offer's own. A heading that is a question is offered alone, another one after
    the page's title and a comma; the card keeps the whole title."""
    folder = _skill(
        tmp_path, {f"{language}/faq.yaml": FAQ, f"{language}/garantie.html": WARRANTY_PAGES[language]}
    )
    skill = load_skill(folder)
    answerer = knowledge_answerer([skill])
    assert answerer is not None
    ids = [entry.id for entry in answerer._entries(skill.name, language).values()]
    state = DialogState(offer=Offer(by=answerer.name, source=skill.name, candidates=tuple(ids)))
    heard = []
    for _ in OFFERED[language]:
        found = answerer.settle(Turn(text="nee" if language == "nl" else "no", locale=language), state, False)
        heard.append(found.reply.text)
        state = found.state
    assert heard == OFFERED[language]
    yes = answerer.settle(Turn(text="ja", locale=language), state, True)
    assert yes.reply.card is not None and yes.reply.card.title.endswith(
        ("kosten van een reparatie", "repair costs")
    )
