"""The skill SDK: handlers, response templates, routing, failures that never reach the caller."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import voice
from voice import Dialog, Expect, Reply, Router, Skill, SkillError, Turn, load_skill
from voice.cli import cli
from voice.responses import Responses
from voice.store import open_store


def _write_skill(root: Path, code: str, intents: str, responses: str, language: str = "en") -> Path:
    folder = root / "demo_skill"
    (folder / "locales" / language).mkdir(parents=True)
    (folder / "__init__.py").write_text(textwrap.dedent(code))
    (folder / "locales" / language / "intents.yaml").write_text(textwrap.dedent(intents))
    (folder / "locales" / language / "responses.yaml").write_text(textwrap.dedent(responses))
    return folder


DEMO_CODE = """
    from voice import Reply, Skill, Turn
    skill = Skill("demo", __file__)

    @skill.intent("Boom")
    def boom(turn: Turn) -> Reply:
        raise RuntimeError("the booking API is down")
"""
DEMO_INTENTS = """
    language: en
    intents:
      Greet:
        data: [{sentences: ["hello [there]", "hi {name}"]}]
      Boom:
        data: [{sentences: ["explode"]}]
    lists:
      name: {values: ["anna", "bob"]}
"""
DEMO_RESPONSES = """
    responses:
      Greet: "Hello{% if name is defined %} {{ name | title }}{% endif %}!"
"""


@pytest.fixture
def demo(tmp_path: Path) -> Skill:
    return load_skill(_write_skill(tmp_path, DEMO_CODE, DEMO_INTENTS, DEMO_RESPONSES))


def _answer(skill: Skill, turn: Turn) -> Reply:
    """The skill's answer through the real dialog, with a store that forgets."""
    with open_store("sqlite://:memory:") as store:
        return Dialog(Router([skill]), store).respond(turn)


def test_an_intent_without_handler_answers_from_its_response(demo: Skill) -> None:
    assert _answer(demo, Turn(text="hi anna")).speech == "Hello Anna!"


def test_a_failing_handler_gives_an_apology_and_logs_the_traceback(
    demo: Skill, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="voice.dialog"):
        reply = _answer(demo, Turn(text="explode", session_id="s1"))
    assert "something went wrong" in reply.text and not reply.end_session
    assert "the booking API is down" in caplog.text and "Traceback" in caplog.text


def test_resolved_intents_find_their_skill(demo: Skill) -> None:
    reply = _answer(demo, Turn(intent="Greet", locale="en-US"))
    assert reply.speech == "Hello!"


def test_unsupported_language_is_said_politely(demo: Skill) -> None:
    reply = _answer(demo, Turn(text="hallo", locale="nl"))
    assert reply.text == "Sorry, in die taal kan ik nog niet helpen." and reply.end_session


def test_duplicate_handlers_are_refused() -> None:
    skill = Skill("x", Path("."))
    skill.intent("A")(lambda turn: Reply(speech=""))
    with pytest.raises(SkillError, match="two handlers for intent 'A'"):
        skill.intent("A")(lambda turn: Reply(speech=""))


def test_ssml_responses_escape_their_values() -> None:
    responses = Responses.from_dict({"Hi": "<speak>Hi {{ name }}</speak>", "Plain": "Hi {{ name }}"})
    assert responses.render("Hi", {"name": "Tom & Jerry"}) == "<speak>Hi Tom &amp; Jerry</speak>"
    assert responses.render("Plain", {"name": "Tom & Jerry"}) == "Hi Tom & Jerry"


def test_a_spelled_value_is_said_character_by_character_and_shown_as_written() -> None:
    """``| spell`` makes a plain response SSML: its own words stay, the value is escaped and spelled."""
    responses = Responses.from_dict({"Booked": "Your number is {{ id | spell }}, {{ name }}."})
    speech = responses.render("Booked", {"id": "B<42", "name": "Tom & Jerry"})
    assert speech == '<speak>Your number is <sub alias="B &lt; 4 2">B&lt;42</sub>, Tom &amp; Jerry.</speak>'
    reply = Reply(speech=speech)
    assert (reply.text, reply.display) == (
        "Your number is B < 4 2, Tom & Jerry.",
        "Your number is B<42, Tom & Jerry.",
    )
    with pytest.raises(
        SkillError, match=r"response 'A' spells a value out, which makes it SSML, so write its '&'"
    ):
        Responses.from_dict({"A": "Q&A: {{ id | spell }}"})


def test_variants_are_chosen_repeatably_per_session() -> None:
    raw = {"Bye": ["Bye!", "Goodbye!", "See you!"]}
    responses = Responses.from_dict(raw)
    picks: dict[str, str] = {}
    for n in range(30):
        seed = f"session-{n}"
        picks[seed] = responses.render("Bye", {}, seed=seed)
        # The same seed, again and from another instance (another process), picks the same variant:
        # a pick that ignored the seed would differ somewhere in these 30 pairs.
        assert responses.render("Bye", {}, seed=seed) == picks[seed], seed
        assert Responses.from_dict(raw).render("Bye", {}, seed=seed) == picks[seed], seed
    # ... and the seed does choose: a constant pick is not "repeatable per session".
    assert set(picks.values()) == {"Bye!", "Goodbye!", "See you!"}


@pytest.mark.parametrize(
    ("raw", "key", "message"),
    [
        ({"A": "{{ oops"}, "A", r"response 'A' has a template error on line 1"),
        ({"A": 3}, "A", r"response 'A' must be a text or a list of texts"),
        ({"A": "Hi {{ who }}"}, "A", r"response 'A' needs a value that is missing \('who' is undefined\)"),
        ({}, "Missing", r"has no response 'Missing'; add it to the responses file"),
    ],
    ids=["syntax", "not-text", "missing-value", "missing-key"],
)
def test_broken_responses_name_the_key(raw: dict[str, object], key: str, message: str) -> None:
    with pytest.raises(SkillError, match=message):
        Responses.from_dict(raw).render(key, {})


@pytest.mark.parametrize(
    ("reference", "message"),
    [("no_such_skill", r"no skill 'no_such_skill'"), ("voice.reply", r"defines no 'skill = Skill\(...\)'")],
    ids=["unknown", "not-a-skill"],
)
def test_bad_skill_references(reference: str, message: str) -> None:
    with pytest.raises(SkillError, match=message):
        load_skill(reference)


def test_reply_round_trips_through_a_dict() -> None:
    reply = Reply(
        speech="<speak>Hi</speak>",
        reprompt="Still there?",
        card=voice.Card(title="T", text="x"),
        expect=Expect.SLOT,
        slot="date",
        end_session=False,
        handoff=True,
        failed=True,
    )
    assert Reply.from_dict(reply.to_dict()) == reply
    assert reply.text == "Hi" and reply.is_ssml and reply.expects_answer


def test_public_names_are_sorted_and_exported() -> None:
    assert voice.__all__ == sorted(voice.__all__)
    assert all(hasattr(voice, name) for name in voice.__all__)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Tuesday 24 November"),
        ("en-GB", "Tuesday 24 November"),
        ("nl", "dinsdag 24 november"),
        ("de", "Tuesday 24 November"),
    ],
    ids=["en", "en-GB", "nl", "unknown-falls-back-to-en"],
)
def test_dates_are_said_the_way_people_say_them(language: str, expected: str) -> None:
    import datetime as dt

    assert voice.spoken_date(dt.date(2026, 11, 24), language) == expected


def test_the_handlers_example_of_the_docs_hears_the_answer_to_its_question(tmp_path: Path) -> None:
    """docs/skills.md's Handlers example asked for the order number from a plain handler
    (``expect=Expect.SLOT``): the answer "it is 1234" matched nothing, since the ``{dialog: ...}``
    context exists only while a flow asks. Its code and files, run as written."""
    docs = Path(__file__).resolve().parents[2] / "docs" / "skills.md"
    section = docs.read_text(encoding="utf-8").split("## Handlers\n", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```")[1::2]  # "python\n...", "yaml\n...": the fenced blocks, in order
    code, intents, responses = (block.split("\n", 1)[1] for block in blocks[:3])
    folder = _write_skill(tmp_path, code, intents, responses)
    (folder / "tests").mkdir()
    (folder / "tests" / "order.yaml").write_text(
        "locale: en\nturns:\n  - user: where is my order\n    reply: What is your order number?\n"
        "  - user: it is 1234\n    reply: Order 1234 has shipped.\n"
    )
    result = CliRunner().invoke(cli, ["test", str(folder)])
    assert result.exit_code == 0 and "1 passed, 0 failed" in result.output, result.output
