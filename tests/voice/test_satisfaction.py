"""The end-of-conversation question "Heeft dit u geholpen?" (issue 15): config, answers, scripts, the KPI.

The scripts in ``tests/voice/satisfaction/`` are conversation tests of the shipped skill; their name
says the setting they run with (``yes_no_*`` or ``scale_*``).
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from voice import Turn
from voice.analytics import Filters, Kpis, build_report
from voice.assistant import Assistant
from voice.config import Config
from voice.dialog.satisfaction import Satisfaction, question_reply, spoken_score
from voice.errors import ConfigError
from voice.reply import Reply
from voice.ssml import spelled_out
from voice.state import DialogState
from voice.testing import assistant_for_tests, load_script, run_script

SCRIPTS = sorted((Path(__file__).parent / "satisfaction").glob("*.yaml"))
SKILL = "skills/customer_service"
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def _assistant(tmp_path: Path, mode: str) -> Assistant:
    return assistant_for_tests(SKILL, tmp_path, Config(insights={"satisfaction": mode}))


@pytest.fixture(scope="module")
def assistants(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Assistant]]:
    built = {mode: _assistant(tmp_path_factory.mktemp(mode), mode) for mode in ("yes_no", "scale")}
    yield built
    for assistant in built.values():
        assistant.close()


@pytest.mark.parametrize("path", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_conversation_script(path: Path, assistants: dict[str, Assistant]) -> None:
    mode = "yes_no" if path.stem.startswith("yes_no") else "scale"
    assert run_script(load_script(path), assistants[mode]) == []


def test_the_scripts_cover_both_languages_and_settings() -> None:
    scripts = [load_script(path) for path in SCRIPTS]
    covered = {(script.locale, script.path.stem.split("_")[0]) for script in scripts}
    assert covered >= {("nl", "yes"), ("en", "yes"), ("nl", "scale"), ("en", "scale")}


def test_off_by_default_a_goodbye_ends_at_once(tmp_path: Path) -> None:
    assistant = assistant_for_tests(SKILL, tmp_path)
    try:
        reply = assistant.respond(_turn("fijne dag nog", "nl"))
    finally:
        assistant.close()
    assert (reply.text, reply.end_session) == ("Tot ziens, en dank u wel.", True)


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("4", 4),
        ("vier", 4),
        ("ik geef een vier", 4),
        ("een", 1),
        ("Vijf uit vijf.", 5),
        ("two", 2),
        ("four out of five", 4),
        ("I'd say three stars", 3),
        ("ik geef u een vijf", 5),
        ("I'd give you guys a five", 5),
        ("4/5", 4),
        ("acht", 4),  # a Dutch grade out of ten, halved onto the scale of 1 to 5
        ("dik een acht", 4),
        ("8 van de 10", 4),
        ("eight out of ten", 4),
        ("zeven", 3.5),
        ("tien uit tien", 5),
        ("6", 3),
        ("zes uit vijf", None),
        ("niet een vijf", None),
        ("nul", None),
        ("twee of drie", None),
        ("wat zijn jullie openingstijden", None),
        ("", None),
    ],
)
def test_a_score_said_in_digits_or_words(text: str, score: float | None) -> None:
    assert spoken_score(text) == score


def test_yes_and_no_count_only_in_yes_no_mode() -> None:
    assert Satisfaction("yes_no").score("ja", "Yes") == 1.0
    assert Satisfaction("yes_no").score("nee", "No") == 0.0
    assert Satisfaction("yes_no").score("vier", None) is None
    assert Satisfaction("scale").score("ja", "Yes") is None
    assert Satisfaction("scale").score("vier", None) == 4.0
    with pytest.raises(ValueError, match="satisfaction must be one of"):
        Satisfaction("sometimes")


def test_never_after_a_handoff_nor_twice() -> None:
    """A handoff ends the conversation (the scripts show its reply has no question); a handed-over
    state, something left open, or a question just asked never asks again."""
    on = Satisfaction("yes_no")
    assert on.ends_with_question(DialogState())
    assert not on.ends_with_question(DialogState().handing_over("asked"))
    assert not on.ends_with_question(DialogState(fallbacks=1))
    asked = question_reply(Reply(speech="Did this help you?"))
    assert not on.ends_with_question(DialogState(last_reply=asked))
    assert on.awaiting(DialogState(last_reply=asked))
    assert not Satisfaction().ends_with_question(DialogState())


@pytest.mark.parametrize(
    ("insights", "message"),
    [
        ({"satisfaction": "sometimes"}, "[insights] satisfaction = 'sometimes'; it must be"),
        ({"satisfaction": True}, "[insights] satisfaction = True; it must be"),
        (
            {"question": "yes_no"},
            "unknown setting 'question' in [insights]; known: satisfaction, language.",
        ),
        ("yes_no", "'insights' is 'yes_no'; it must be a table"),
    ],
)
def test_a_wrong_setting_is_refused_in_one_sentence(insights: object, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Config.from_dict({"insights": insights}, source="voice.toml")
    text = str(raised.value)
    assert message in text and "\n" not in text and text.startswith("voice.toml: ")


@pytest.mark.parametrize("mode", ["yes_no", "scale", "off"])
def test_a_right_setting_is_taken(mode: str) -> None:
    assert Config.from_dict({"insights": {"satisfaction": mode}}).insights == {"satisfaction": mode}


def _turn(text: str, locale: str, session: str = "s1") -> Turn:
    return Turn(text=text, locale=locale, channel="test", session_id=session, user_id="u1", time=NOW)


def _talk(assistant: Assistant, session: str, locale: str, *texts: str) -> None:
    for text in texts:
        assistant.respond(_turn(text, locale, session))


@pytest.mark.parametrize(
    ("mode", "locale", "answers", "score"),
    [
        ("yes_no", "nl", ("ja", "ja", "nee"), 2 / 3),
        ("yes_no", "en", ("yes", "no", "no"), 1 / 3),
        ("scale", "nl", ("vier", "5", "drie"), 4.0),
        ("scale", "en", ("two", "four", "3"), 3.0),
    ],
)
def test_the_answers_make_the_satisfaction_score(
    tmp_path: Path, mode: str, locale: str, answers: tuple[str, ...], score: float
) -> None:
    """The KPI is the mean of the answers; a handed-over conversation and an ignored question add none."""
    goodbye = "tot ziens" if locale == "nl" else "goodbye"
    agent = "mag ik een medewerker spreken" if locale == "nl" else "can i talk to an agent"
    assistant = _assistant(tmp_path, mode)
    try:
        for number, answer in enumerate(answers):
            _talk(assistant, f"answered-{number}", locale, goodbye, answer)
        _talk(assistant, "handed-over", locale, agent)
        _talk(assistant, "ignored", locale, goodbye, "hallo" if locale == "nl" else "hello")
        today = dt.datetime.now(dt.UTC).date()
        filters = Filters(start=min(NOW.date(), today), end=today, locale=locale)
        kpis = build_report(assistant.store, filters).current
    finally:
        assistant.close()
    assert kpis.satisfaction_score == pytest.approx(score)
    assert sum(kpis.satisfaction.values()) == len(answers)
    assert kpis.to_dict()["satisfaction_answers"] == len(answers)
    assert (kpis.conversations, dict(kpis.handoffs)) == (len(answers) + 2, {"asked": 1})


@pytest.mark.parametrize(
    ("locale", "answers", "score"),
    [("nl", ("4", "ik geef een vier", "acht"), 4.0), ("en", ("four out of five", "a five", "eight"), 13 / 3)],
    ids=["nl", "en"],
)
def test_a_score_is_understood(tmp_path: Path, locale: str, answers: tuple[str, ...], score: float) -> None:
    """Every score counted as not understood (fallback rate up, the answers on the review list), and
    "acht" (out of ten) got "Sorry, dat verstond ik niet" and ended the answered call as gave_up."""
    goodbye = "tot ziens" if locale == "nl" else "goodbye"
    assistant = _assistant(tmp_path, "scale")
    try:
        for number, answer in enumerate(answers):
            _talk(assistant, f"answered-{number}", locale, goodbye, answer)
        understood = assistant.store.select("SELECT DISTINCT understood FROM signals")
        report = build_report(assistant.store, Filters(start=NOW.date(), end=NOW.date(), locale=locale))
    finally:
        assistant.close()
    assert understood == [("template",)] and report.not_understood == ()
    kpis = report.current
    assert (kpis.fallback_rate, kpis.recognition_rate, kpis.contained) == (0.0, 1.0, len(answers))
    assert kpis.satisfaction_score == pytest.approx(score)


@pytest.mark.parametrize(
    ("mode", "locale", "said", "waited", "score"),
    [
        ("yes_no", "nl", ("tot ziens", "wacht even", "ja"), "Natuurlijk, neemt u de tijd.", 1.0),
        ("scale", "en", ("goodbye", "uhm", "four"), "Of course, take your time.", 4.0),
    ],
    ids=["nl", "en"],
)
def test_filler_to_the_question_asks_it_again(
    tmp_path: Path, mode: str, locale: str, said: tuple[str, ...], waited: str, score: float
) -> None:
    """ "Wacht even" to "Heeft dit u geholpen?" got "Zeg het maar als u zover bent." without the
    question, so the "ja" after it answered nothing: "Sorry, dat verstond ik niet", a miss, and no score."""
    assistant = _assistant(tmp_path, mode)
    try:
        asked, wait, thanks = (assistant.respond(_turn(text, locale)) for text in said)
        kpis = _kpis(assistant, locale)
    finally:
        assistant.close()
    assert wait.text == f"{waited} {asked.text}" and not wait.end_session
    assert thanks.end_session and kpis.satisfaction_score == score
    assert (kpis.fallback_rate, kpis.contained, kpis.to_dict()["satisfaction_answers"]) == (0.0, 1, 1)


def _kpis(assistant: Assistant, locale: str) -> Kpis:
    today = dt.datetime.now(dt.UTC).date()
    return build_report(
        assistant.store, Filters(start=min(NOW.date(), today), end=today, locale=locale)
    ).current


@pytest.mark.parametrize(
    ("locale", "booking", "goodbye", "answer"),
    [
        (
            "nl",
            ("maak een afspraak voor morgen om tien uur", "ik heet els", "ja", "advies", "ja"),
            "tot ziens",
            "ja",
        ),
        (
            "en",
            ("book an appointment for tomorrow at 10 am", "anna smith", "yes", "a return", "yes"),
            "bye",
            "no",
        ),
    ],
    ids=["nl", "en"],
)
def test_a_failed_booking_stays_failed_through_the_question(
    tmp_path: Path, locale: str, booking: tuple[str, ...], goodbye: str, answer: str
) -> None:
    """No booking API: the caller hears the apology, says goodbye, and answers "Did this help you?";
    the answer ended the conversation contained, as if the booking had worked."""
    assistant = _assistant(tmp_path, "yes_no")
    try:
        _talk(assistant, "failed", locale, *booking, goodbye, answer)
        kpis = _kpis(assistant, locale)
    finally:
        assistant.close()
    assert (kpis.conversations, kpis.contained, kpis.gave_up, kpis.to_dict()["satisfaction_answers"]) == (
        1,
        0,
        1,
        1,
    )
    assert [(flow.flow, flow.started, flow.completed) for flow in kpis.flows] == [("BookAppointment", 1, 0)]


RENEW_CODE = """
    from voice import Reply, Skill, Turn
    skill = Skill("permits", __file__)
    skill.flow("Renew")

    @skill.intent("Renew")
    def renew(turn: Turn) -> Reply:
        return Reply(speech="Sorry, the permit system is down; nothing was renewed.", failed=True)
"""


def test_a_failed_flow_the_question_follows_counts_failed(tmp_path: Path) -> None:
    """A handler that fails with a reply that expects nothing: the question is added to its words, and
    the flow counted completed and the conversation contained."""
    folder = tmp_path / "permits"
    (folder / "locales" / "en").mkdir(parents=True)
    (folder / "__init__.py").write_text(textwrap.dedent(RENEW_CODE))
    (folder / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  Renew:\n    data: [{sentences: ['renew my permit']}]\n"
    )
    assistant = assistant_for_tests(str(folder), tmp_path, Config(insights={"satisfaction": "yes_no"}))
    try:
        first = assistant.respond(_turn("renew my permit", "en"))
        last = assistant.respond(_turn("yes", "en"))
        kpis = _kpis(assistant, "en")
    finally:
        assistant.close()
    assert first.text.startswith("Sorry, the permit system is down") and "did this help you?" in first.text
    assert last.end_session and (first.failed, last.failed) == (True, True)
    assert (kpis.conversations, kpis.contained, kpis.gave_up) == (1, 0, 1)
    assert [(flow.flow, flow.started, flow.completed) for flow in kpis.flows] == [("Renew", 1, 0)]


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("nl", ("waar is mijn bestelling", "1234", "bedankt", "nee")),
        ("en", ("where is my order", "1234", "thanks", "no")),
    ],
    ids=["nl", "en"],
)
def test_asked_once_per_conversation(tmp_path: Path, locale: str, said: tuple[str, ...]) -> None:
    """On a call the order's status was followed by the question; the caller said thanks instead of an
    answer, then no to "anything else?", and was asked the question again."""
    assistant = _assistant(tmp_path, "yes_no")
    try:
        for text in said:
            turn = replace(_turn(text, locale), channel="dialogflow", call=True)
            reply = assistant.respond(turn)
        question = assistant.store.select("SELECT count(*) FROM log WHERE text LIKE '%1 2 3 4%'")
        asked = assistant.store.select(
            "SELECT count(*) FROM log WHERE speaker = 'assistant' AND text LIKE ?",
            ("%heeft dit u geholpen%" if locale == "nl" else "%did this help you%",),
        )
    finally:
        assistant.close()
    assert (question, asked) == ([(1,)], [(1,)])
    assert reply.end_session and "?" not in reply.text


def test_the_question_after_a_reply_keeps_its_spelled_out_number() -> None:
    """After a booking, "did this help?" made the reply words: the screen showed "B 4 2", as it is said."""
    booked = Reply(speech=f"<speak>Your booking number is {spelled_out('B42')}.</speak>")
    asked = question_reply(Reply(speech="Did this help you?"), booked)
    assert asked.text == "Your booking number is B 4 2. Did this help you?"
    assert asked.display == "Your booking number is B42. Did this help you?"
