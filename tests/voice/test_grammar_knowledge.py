"""The recognizer's grammar holds the questions and phrasings of the skills' content (issue 14, item 5)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from voice import Router, Skill, load_skill
from voice.grammar import grammar_phrases, knowledge_phrases, spoken_words
from voice.knowledge import question_phrases

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def router() -> Router:
    return Router([load_skill("customer_service")])


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("nl", "wat kost verzending naar belgië"),
        ("nl", "bezorgen jullie ook 's avonds of op zaterdag"),
        ("en", "how much is shipping to belgium"),
        ("en", "the price dropped after i bought it do i get the difference back"),
    ],
)
def test_the_run_grammar_holds_the_faq_questions_and_phrasings(
    router: Router, language: str, said: str
) -> None:
    grammar = set(grammar_phrases(router, language))
    content = question_phrases(ROOT / "skills" / "customer_service", language)
    asked = {spoken_words(text, language) for text in content}
    assert len(asked) > 60 and not asked - grammar, sorted(asked - grammar)[:5]
    assert said in grammar


def test_the_grammar_keeps_each_language_to_its_own_content(router: Router) -> None:
    assert "wat kost verzending naar belgië" not in grammar_phrases(router, "en")


@pytest.mark.parametrize(
    ("text", "language", "spoken"),
    [
        (
            "Bezorgen jullie ook 's avonds of op zaterdag?",
            "nl",
            "bezorgen jullie ook 's avonds of op zaterdag",
        ),
        ("Kan ik na 30 dagen nog retourneren?", "nl", "kan ik na dertig dagen nog retourneren"),
        ("What's your e-mail address?", "en", "what's your e-mail address"),
        ("Do you ship in 2 - 3 days?", "en", "do you ship in two three days"),
    ],
)
def test_content_questions_become_spoken_words(text: str, language: str, spoken: str) -> None:
    assert spoken_words(text, language) == spoken


def test_a_page_passage_adds_its_heading_as_a_caller_asks_it(tmp_path: Path) -> None:
    """The grammar held "garantie en reparatie hoe lang heb ik garantie": the passage's title, with the
    page's title in front, which no caller says."""
    folder = tmp_path / "shop" / "knowledge" / "nl"
    folder.mkdir(parents=True)
    page = "# Garantie en reparatie\n\n## Hoe lang heb ik garantie?\n\nTwee jaar.\n"
    (folder / "garantie.md").write_text(page, encoding="utf-8")
    assert question_phrases(tmp_path / "shop", "nl") == ("hoe lang heb ik garantie?",)


def test_a_skill_without_content_adds_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "clock"
    (folder / "locales" / "en").mkdir(parents=True)
    (folder / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  Early:\n    data: [{sentences: ['wake me early']}]\n"
    )
    assert knowledge_phrases(Router([Skill("clock", folder)]), "en") == []


def test_reading_the_phrases_does_not_load_the_retrieval_engine() -> None:
    code = (
        "import sys; from voice import Router, load_skill; from voice.grammar import grammar_phrases;"
        "assert grammar_phrases(Router([load_skill('customer_service')]), 'nl');"
        "print(sorted(m for m in ('numpy', 'bm25s', 'Stemmer') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"


def test_fixtures_model_builds_from_the_grammar_with_the_faq(monkeypatch: pytest.MonkeyPatch) -> None:
    import speech.fixture_model
    from voice.cli import cli

    built: list[list[str]] = []
    wakes: list[object] = []

    def build(phrases: list[str], language: str, **options: object) -> Path:
        built.append(list(phrases))
        wakes.append(options.get("wake_phrase"))
        return Path("/nowhere")

    monkeypatch.setattr(speech.fixture_model, "build_fixture_model", build)
    result = CliRunner().invoke(cli, ["fixtures", "model", "-l", "nl"])
    assert result.exit_code == 0, result.output
    assert "wat kost verzending naar belgië" in built[0]
    assert "hallo computer" in built[0] and wakes == ["hallo computer"]  # its near misses become decoys
    result = CliRunner().invoke(cli, ["fixtures", "model", "-l", "nl", "--wake", "hoi assistent"])
    assert result.exit_code == 0, result.output
    assert "hoi assistent" in built[1] and wakes[1] == "hoi assistent"
