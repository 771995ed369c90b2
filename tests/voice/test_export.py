"""Exports of the shipped customer_service skill: an Alexa skill package and a Dialogflow ES agent zip."""

from __future__ import annotations

import json
import logging
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from voice import Router, Skill, load_skill
from voice.builtins import ALEXA_INTENTS
from voice.cli.export import export
from voice.export import ExportError, alexa_package, check_interaction_model, dialogflow_agent
from voice.export.alexa_rules import REQUIRED_INTENTS, clean_utterance, invocation_name
from voice.platform_contexts import context_names, fixed_intent, fixed_of, fixed_tag, read_exported
from voice.state import ActiveFlow, DialogState

SKILL_INTENTS = {
    "OpeningHours",
    "OrderStatus",
    "ContactOptions",
    "Capabilities",
    "BookAppointment",
    "AskQuestion",
}


@pytest.fixture(scope="module")
def skill() -> Skill:
    return load_skill("customer_service")


@pytest.fixture(scope="module")
def model(skill: Skill) -> dict[str, Any]:
    return alexa_package(skill, "en-US").interaction_model


def language_model(model: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = model["interactionModel"]["languageModel"]
    return found


def intent(model: dict[str, Any], name: str) -> dict[str, Any]:
    return next(i for i in language_model(model)["intents"] if i["name"] == name)


# -- Alexa ----------------------------------------------------------------------------------------


def test_the_alexa_model_keeps_every_rule(model: dict[str, Any]) -> None:
    assert check_interaction_model(model) == []


def test_the_alexa_model_has_the_skill_and_builtin_intents(model: dict[str, Any]) -> None:
    names = {i["name"] for i in language_model(model)["intents"]}
    # Question: it has content; "spreekt u nederlands" sets the language: its block's own intent
    framework = {
        "TalkToAgent",
        "Greeting",
        "Thanks",
        "Wait",
        "SpeakLanguage",
        "SpeakLanguage__language_nl",
        "Question",
    }
    assert names == SKILL_INTENTS | framework | set(REQUIRED_INTENTS)
    # Alexa sends no words with a fallback, so asking for a person must be an intent of its own.
    to_agent = intent(model, "TalkToAgent")["samples"]
    assert len(to_agent) >= 40 and {"operator", "human please"} <= set(to_agent)
    assert "thank you" in intent(model, "Thanks")["samples"]
    assert language_model(model)["invocationName"] == "city shop service"  # locales/en/skill.yaml


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        (
            "en-US",
            {
                "AMAZON.StopIntent": {
                    "no thanks",
                    "no that's all",
                    "that's all",
                    "goodbye",
                    "have a nice day",
                },
                "AMAZON.CancelIntent": {"cancel", "never mind"},
                "AMAZON.HelpIntent": {"help", "what can i say"},
                "AMAZON.YesIntent": {"yes", "yeah"},
                "AMAZON.NoIntent": {"no", "nope"},
                "AMAZON.RepeatIntent": {"say that again"},
                "AMAZON.StartOverIntent": {"start over"},
            },
        ),
        (
            "nl-NL",
            {
                "AMAZON.StopIntent": {
                    "nee bedankt",
                    "dat was het",
                    "tot ziens",
                    "fijne dag nog",
                    "nee dat was alles",
                },
                "AMAZON.CancelIntent": {"laat maar"},
                "AMAZON.HelpIntent": {"help"},
                "AMAZON.YesIntent": {"ja"},
                "AMAZON.NoIntent": {"nee"},
                "AMAZON.RepeatIntent": {"zeg dat nog eens"},
                "AMAZON.StartOverIntent": {"opnieuw beginnen"},
            },
        ),
    ],
    ids=["en-US", "nl-NL"],
)
def test_alexas_built_ins_carry_what_callers_say_for_them(
    skill: Skill, locale: str, said: dict[str, set[str]]
) -> None:
    """AMAZON.StopIntent had no samples: "no thanks" and "that was all" came as a NoIntent or a
    fallback. Every sample of a built-in is what the channel hands the dialog for it (ALEXA_INTENTS),
    and what our own router reads it as."""
    model = alexa_package(skill, locale).interaction_model
    assert check_interaction_model(model) == []
    samples = {
        i["name"]: i["samples"] for i in language_model(model)["intents"] if i["name"] in REQUIRED_INTENTS
    }
    for name, words in said.items():
        assert words <= set(samples[name]), name
    router, language = Router([skill]), locale[:2]
    for name, sentences in samples.items():
        for sentence in sentences:
            match = router.parse(sentence, language)
            assert match is not None and match.intent == ALEXA_INTENTS[name], (name, sentence)
    assert samples["AMAZON.NavigateHomeIntent"] == samples["AMAZON.FallbackIntent"] == []


@pytest.mark.parametrize(
    ("locale", "sample", "words"),
    [("en-US", "do you speak {language}", "english"), ("nl-NL", "spreekt u {language}", "engels")],
)
def test_do_you_speak_english_is_an_intent_with_the_languages_as_a_slot_type(
    skill: Skill, locale: str, sample: str, words: str
) -> None:
    """The built-in SpeakLanguage was not exported: Alexa sent "do you speak English?" as its fallback. Its
    ``{language}`` gets a type of the built-in list, named apart from a skill's own lists."""
    model = alexa_package(skill, locale).interaction_model
    assert check_interaction_model(model) == []
    speak = intent(model, "SpeakLanguage")
    assert sample in speak["samples"] and len(speak["samples"]) <= 200
    assert speak["slots"][0]["name"] == "language" and speak["slots"][0]["type"] == "VoiceLanguageType"
    types = {t["name"]: t["values"] for t in language_model(model)["types"]}
    english = next(value for value in types["VoiceLanguageType"] if value["name"]["value"] == "en")
    assert (english["id"], english["name"]["synonyms"]) == ("EN", [words])


def test_samples_are_expanded_from_the_templates_with_slot_references(model: dict[str, Any]) -> None:
    hours = intent(model, "OpeningHours")["samples"]
    assert "what are your opening hours" in hours
    assert "when are you open on {day}" in hours
    booking = intent(model, "BookAppointment")["samples"]
    assert "book an appointment for {date} at {time}" in booking
    assert all(len(i["samples"]) <= 200 for i in language_model(model)["intents"])


def test_builtin_and_custom_slot_types(model: dict[str, Any]) -> None:
    slots = {s["name"]: s["type"] for s in intent(model, "BookAppointment")["slots"]}
    assert slots == {
        "date": "AMAZON.DATE",
        "time": "AMAZON.TIME",
        "topic": "TopicType",
        "name": "AMAZON.SearchQuery",
    }
    types = {t["name"]: t["values"] for t in language_model(model)["types"]}
    topic = {v["name"]["value"]: v for v in types["TopicType"]}
    assert topic["return"]["id"] == "RETURN"
    assert {"my refund", "a return"} <= set(topic["return"]["name"]["synonyms"])
    assert {v["name"]["value"] for v in types["DayType"]} >= {"monday", "sunday", "tomorrow"}


def test_search_query_samples_have_a_carrier_phrase_and_no_other_slot(model: dict[str, Any]) -> None:
    booking = intent(model, "BookAppointment")
    assert "my name is {name}" in booking["samples"]
    assert "{name}" not in booking["samples"]
    order = intent(model, "OrderStatus")["samples"]
    assert "where is my order number {order_number}" in order


def test_the_dialog_model_follows_the_flow(model: dict[str, Any]) -> None:
    dialog = model["interactionModel"]["dialog"]
    intents = {intent["name"]: intent for intent in dialog["intents"]}
    assert set(intents) == {"BookAppointment", "OrderStatus"}
    assert [s["name"] for s in intents["OrderStatus"]["slots"]] == ["order_number"]
    booking = intents["BookAppointment"]
    assert booking["name"] == "BookAppointment" and booking["confirmationRequired"] is True
    assert [s["name"] for s in booking["slots"]] == ["date", "time", "name", "topic"]
    assert all(s["elicitationRequired"] for s in booking["slots"])
    assert [s["name"] for s in booking["slots"] if s["confirmationRequired"]] == ["name"]
    prompts = {p["id"]: [v["value"] for v in p["variations"]] for p in model["interactionModel"]["prompts"]}
    assert prompts["Elicit.Slot.BookAppointment.date"] == ["On which day would you like to come?"]
    assert prompts["Confirm.Slot.BookAppointment.name"] == ["Did I get your name right: {name}?"]
    # ConfirmBooking needs a described topic, which is no slot: a neutral question stands in
    assert prompts["Confirm.Intent.BookAppointment"] == ["Shall I go ahead?"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what's the status, please?", "what's the status please"),
        ("call me at 10", None),
        ("book {date} now", "book {date} now"),
        ("e-mail us", "e-mail us"),
        ("x" * 201, None),
    ],
    ids=["punctuation", "digits", "slot", "hyphen", "too-long"],
)
def test_clean_utterance(text: str, expected: str | None) -> None:
    assert clean_utterance(text) == expected


def test_invocation_names_avoid_launch_words_and_single_words() -> None:
    assert invocation_name("customer_service") == "customer service"
    assert invocation_name("ask_app") == "voice desk"
    assert len(invocation_name("shop").split()) == 2


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda m: intent(m, "OpeningHours")["samples"].append("are you open {weekday}"), "undeclared slot"),
        (lambda m: intent(m, "OrderStatus")["samples"].append("{order_number}"), "carrier phrase"),
        (lambda m: intent(m, "ContactOptions")["samples"].append("call 555"), "does not allow"),
        (lambda m: intent(m, "Capabilities")["samples"].append("what can you do"), "also a sample"),
        (lambda m: language_model(m).update(invocationName="alexa shop"), "wake word"),
        (lambda m: language_model(m).update(invocationName="shop"), "two words"),
        (lambda m: intent(m, "OpeningHours")["slots"][0].update(type="WeekdayType"), "unknown slot type"),
        (lambda m: language_model(m)["intents"].pop(), "is missing"),
        (lambda m: m["interactionModel"]["prompts"].clear(), "prompt"),
        (lambda m: m["interactionModel"]["dialog"]["intents"][0]["slots"][0].update(type="X"), "not a slot"),
    ],
    ids=[
        "slot",
        "search-query",
        "digits",
        "duplicate",
        "wake-word",
        "one-word",
        "type",
        "builtin",
        "prompt",
        "dialog",
    ],
)
def test_the_validator_finds_each_broken_rule(model: dict[str, Any], change: Any, problem: str) -> None:
    broken = json.loads(json.dumps(model))
    change(broken)
    assert any(problem in found for found in check_interaction_model(broken))


def test_export_alexa_writes_an_ask_cli_skill_package(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        export,
        ["alexa", "customer_service", "-l", "en-US", "-o", str(tmp_path), "--invocation-name", "city shop"],
    )
    assert result.exit_code == 0, result.output
    package = tmp_path / "skill-package"
    model = json.loads((package / "interactionModels" / "custom" / "en-US.json").read_text())
    assert language_model(model)["invocationName"] == "city shop"
    assert check_interaction_model(model) == []
    manifest = json.loads((package / "skill.json").read_text())["manifest"]
    locale = manifest["publishingInformation"]["locales"]["en-US"]
    assert locale["name"] == "City Shop Customer Service" and locale["summary"].startswith("Opening hours")
    assert locale["examplePhrases"][:2] == [
        "Alexa, open city shop",
        "Alexa, ask city shop what are your opening hours",
    ]
    assert manifest["apis"]["custom"]["endpoint"]["uri"].startswith("https://")


@pytest.mark.parametrize(
    ("locale", "invocation", "message"),
    [
        ("english", None, "not an Alexa locale"),
        ("de-DE", None, "has no 'de' templates"),
        ("en-US", "open shop", "launch word"),
    ],
    ids=["bad-locale", "no-templates", "bad-invocation"],
)
def test_export_alexa_refuses_what_alexa_would(
    skill: Skill, locale: str, invocation: str | None, message: str
) -> None:
    with pytest.raises(ExportError, match=message):
        alexa_package(skill, locale, invocation=invocation)


def test_the_cli_prints_export_errors_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(export, ["alexa", "customer_service", "-l", "english", "-o", str(tmp_path)])
    assert result.exit_code != 0 and "not an Alexa locale" in str(result.exception)


# -- Dialogflow -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def agent_zip(skill: Skill, tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    path = tmp_path_factory.mktemp("dialogflow") / "agent.zip"
    result = CliRunner().invoke(export, ["dialogflow", "customer_service", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return zipfile.ZipFile(path)


def read(archive: zipfile.ZipFile, name: str) -> Any:
    return json.loads(archive.read(name))


def test_the_agent_serves_both_languages(agent_zip: zipfile.ZipFile) -> None:
    agent = read(agent_zip, "agent.json")
    assert [agent["language"], *agent["supportedLanguages"]] == ["en", "nl"]
    assert read(agent_zip, "package.json") == {"version": "1.0.0"}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_intent_has_training_phrases_with_known_entities(
    agent_zip: zipfile.ZipFile, language: str
) -> None:
    names = set(agent_zip.namelist())
    entities = {
        re.sub(r"^entities/|\.json$", "", n)
        for n in names
        if re.fullmatch(r"entities/[^_]+(_[^_]+)*\.json", n)
    }
    for name in SKILL_INTENTS:
        definition = read(agent_zip, f"intents/{name}.json")
        assert definition["webhookUsed"] is True
        phrases = read(agent_zip, f"intents/{name}_usersays_{language}.json")
        assert phrases, f"{name} has no {language} training phrases"
        parameters = {p["name"]: p["dataType"] for p in definition["responses"][0]["parameters"]}
        for phrase in phrases:
            assert phrase["lang"] == language
            for part in phrase["data"]:
                if "meta" in part:
                    assert parameters[part["alias"]] == part["meta"]
                    assert part["meta"].startswith("@sys.") or part["meta"][1:] in entities
                    if not part["meta"].startswith("@sys."):
                        assert f"entities/{part['meta'][1:]}_entries_{language}.json" in names


def test_parameters_use_system_and_custom_entities(agent_zip: zipfile.ZipFile) -> None:
    booking = read(agent_zip, "intents/BookAppointment.json")
    types = {p["name"]: p["dataType"] for p in booking["responses"][0]["parameters"]}
    assert types == {"date": "@sys.date", "time": "@sys.time", "topic": "@topic", "name": "@sys.any"}
    phrases = read(agent_zip, "intents/BookAppointment_usersays_nl.json")
    annotated = {
        (part["text"], part["meta"]) for phrase in phrases for part in phrase["data"] if "meta" in part
    }
    assert ("morgen", "@sys.date") in annotated


def test_entities_keep_values_and_synonyms_per_language(agent_zip: zipfile.ZipFile) -> None:
    english = {e["value"]: e["synonyms"] for e in read(agent_zip, "entities/topic_entries_en.json")}
    dutch = {e["value"]: e["synonyms"] for e in read(agent_zip, "entities/topic_entries_nl.json")}
    assert set(english) == set(dutch) == {"delivery", "return", "invoice", "advice"}
    assert "my refund" in english["return"] and "terugbetaling" in dutch["return"]
    assert read(agent_zip, "entities/day.json")["name"] == "day"


def test_the_channel_intents_are_included(agent_zip: zipfile.ZipFile) -> None:
    welcome = read(agent_zip, "intents/Default Welcome Intent.json")
    fallback = read(agent_zip, "intents/Default Fallback Intent.json")
    assert welcome["events"] == [{"name": "WELCOME"}, {"name": "TELEPHONY_WELCOME"}]
    assert fallback["fallbackIntent"] is True


@pytest.mark.parametrize(("language", "words"), [("en", "english"), ("nl", "engels")])
def test_do_you_speak_english_is_an_intent_with_an_entity_of_the_languages(
    agent_zip: zipfile.ZipFile, language: str, words: str
) -> None:
    """SpeakLanguage is the one built-in intent the agent carries: its language is an entity of the built-in
    list (``voice_language``, apart from a skill's lists), whose reference value is the code (``en``)."""
    speak = read(agent_zip, "intents/SpeakLanguage.json")
    assert speak["webhookUsed"] is True
    assert [(p["name"], p["dataType"]) for p in speak["responses"][0]["parameters"]] == [
        ("language", "@voice_language")
    ]
    phrases = read(agent_zip, f"intents/SpeakLanguage_usersays_{language}.json")
    annotated = {
        (part["text"], part["meta"]) for phrase in phrases for part in phrase["data"] if "meta" in part
    }
    assert (words, "@voice_language") in annotated
    entries = {
        e["value"]: e["synonyms"] for e in read(agent_zip, f"entities/voice_language_entries_{language}.json")
    }
    assert words in entries["en"] and len(entries) == 8
    assert "intents/TalkToAgent.json" not in agent_zip.namelist(), "the others reach the fallback"


def test_a_gateways_no_input_event_reaches_the_webhook(agent_zip: zipfile.ZipFile) -> None:
    """Dialogflow never sends an empty queryText: a gateway says silence with an event, and without an
    intent for it the event's name went to the fallback and counted as a miss (three handed over)."""
    silence = read(agent_zip, "intents/NoInput.json")
    assert silence["events"] == [{"name": "actions_intent_NO_INPUT"}, {"name": "noUserInput"}]
    assert (silence["webhookUsed"], silence["fallbackIntent"]) == (True, False)
    assert "intents/NoInput_usersays_nl.json" not in agent_zip.namelist(), "no words trigger it"


def test_a_flows_bare_answers_match_only_while_the_flow_asks(agent_zip: zipfile.ZipFile) -> None:
    """A training phrase that is only @sys.any ("{name}") in an intent without input context catches every
    question asked anywhere (the allergen question arrived as the booking, not as the fallback the knowledge
    answers need): the phrases a block says only in a flow get an intent whose input contexts are the ones
    the dialog is in while it asks (``voice.platform_contexts``)."""
    booking = read(agent_zip, "intents/BookAppointment.json")
    assert booking["contexts"] == []
    for phrase in read(agent_zip, "intents/BookAppointment_usersays_en.json"):
        assert any(part["text"].strip() for part in phrase["data"] if "meta" not in part), phrase
    asking = read(agent_zip, "intents/BookAppointment - dialog BookAppointment asking name.json")
    bare = read(agent_zip, "intents/BookAppointment - dialog BookAppointment asking name_usersays_en.json")
    assert {tuple(part.get("meta") for part in phrase["data"]) for phrase in bare} == {("@sys.any",)}
    state = DialogState(flow=ActiveFlow(intent="BookAppointment", skill="customer_service", asking="name"))
    assert set(asking["contexts"]) == {"voice-dialog-bookappointment", "voice-asking-name"}
    assert set(context_names(state.context())) == {*asking["contexts"], "voice-dialog", "voice-asking"}
    assert read_exported(asking["name"])[0] == "BookAppointment"
    follow_up = read(agent_zip, "intents/OpeningHours - previous OpeningHours.json")
    assert follow_up["contexts"] == ["voice-previous-openinghours"]
    assert set(context_names(DialogState(previous_intent="OpeningHours").context())) == {
        "voice-previous-openinghours",
        "voice-previous",
    }


def test_alexa_hears_a_flows_bare_answers_only_while_it_elicits_the_slot(model: dict[str, Any]) -> None:
    """As the intent's samples, "{date}" sends "tomorrow" said anywhere to the booking; as the slot's
    samples Alexa uses it while it elicits the date (``Dialog.ElicitSlot``)."""
    booking = intent(model, "BookAppointment")
    assert not {"{date}", "{time}", "{topic}"} & set(booking["samples"])
    assert {"at {time}", "about {topic}"} <= set(booking["samples"])  # words of their own: no catch-all
    slots = {slot["name"]: slot["samples"] for slot in booking["slots"]}
    assert {"{date}", "{time}", "{topic}"} <= {*slots["date"], *slots["time"], *slots["topic"]}


def test_the_agent_zip_is_reproducible(skill: Skill, tmp_path: Path) -> None:
    first = dialogflow_agent(skill).write(tmp_path / "a.zip").read_bytes()
    second = dialogflow_agent(skill).write(tmp_path / "b.zip").read_bytes()
    assert first == second


def test_digits_in_templates_are_spelled_out_for_alexa(tmp_path: Path) -> None:
    from voice import Skill
    from voice.export.common import skill_intents

    folder = tmp_path / "clock"
    (folder / "locales" / "en").mkdir(parents=True)
    (folder / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  Early:\n    data: [{sentences: ['wake me at 6 on {day}']}]\n"
        "lists:\n  day: {values: [monday]}\n"
    )
    (intent,) = skill_intents(Skill("clock", folder), "en")
    assert [s.with_slots() for s in intent.sentences] == ["wake me at six on {day}"]


@pytest.mark.parametrize(
    ("display_name", "intent"),
    [
        ("BookAppointment - dialog BookAppointment asking name", "BookAppointment"),
        ("OpeningHours - previous OpeningHours", "OpeningHours"),
        ("OpeningHours - previous (any)", "OpeningHours"),
        ("BookTable - yes", "BookTable - yes"),  # a hand-made agent's follow-up is no BookTable
        ("OrderStatus", "OrderStatus"),
    ],
)
def test_only_exported_context_intents_are_read_back_as_their_intent(display_name: str, intent: str) -> None:
    assert read_exported(display_name)[0] == intent


def a_skill_with(tmp_path: Path, requires: str) -> Skill:
    """A skill whose ``ShopHours`` has a block said only in the context ``requires`` (YAML)."""
    return a_skill_ruled(tmp_path, f"requires_context: {requires}")


def a_skill_ruled(tmp_path: Path, rules: str) -> Skill:
    """A skill whose ``ShopHours`` has a block with the context ``rules`` (YAML lines of the block)."""
    from voice import Skill

    folder = tmp_path / "shops"
    (folder / "locales" / "en").mkdir(parents=True)
    (folder / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  ShopHours:\n    data:\n      - sentences: ['opening hours [on {day}]']\n"
        f"      - {rules}\n        sentences: ['{{day}}', 'and on {{day}}']\n"
        "lists:\n  day: {values: [monday, sunday]}\n"
    )
    return Skill("shops", folder)


def dialogflow_phrases(skill: Skill) -> dict[str, set[str]]:
    """The training phrases of each exported intent, by display name, as plain text."""
    files = dialogflow_agent(skill).files
    return {
        name.removeprefix("intents/").removesuffix("_usersays_en.json"): {
            "".join(part["text"] for part in phrase["data"]) for phrase in phrases
        }
        for name, phrases in files.items()
        if name.endswith("_usersays_en.json")
    }


@pytest.mark.parametrize(
    "requires", ["{domain: light}", "{area: {slot: true}}", "{previous: ShopHours, domain: [light, fan]}"]
)
def test_a_context_no_dialogflow_turn_sets_is_left_out_of_the_agent(
    tmp_path: Path, requires: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Only the dialog's keys become input contexts (the webhook sets no other): an intent whose input
    context is ``voice-domain-light`` never matched, and its name was read back as no intent of ours. Left
    out, the words reach the fallback, where the router reads them with the list values' contexts."""
    caplog.set_level(logging.INFO, logger="voice.export.dialogflow")
    phrases = dialogflow_phrases(a_skill_with(tmp_path, requires))
    assert [name for name in phrases if name.startswith("ShopHours")] == ["ShopHours"]
    assert not {"monday", "and on monday", "sunday", "and on sunday"} & phrases["ShopHours"]
    (left,) = re.findall(r"intent ShopHours \(en\): (\d+) sentences left out", caplog.text)
    assert left == "4", caplog.text  # each sentence once, not once per domain value


def test_a_sentence_excluded_from_a_context_is_left_out_of_the_agent_and_kept_for_alexa(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither platform can say "not after ShopHours": Dialogflow would take "and on sunday" right where
    the router refuses it. The agent leaves it out, so its words reach the fallback and the router, which
    reads ``excludes_context``; Alexa sends no words with its fallback, so there the sentence stays a sample
    (docs/exports.md)."""
    from voice.nlu import Matcher

    skill = a_skill_ruled(tmp_path, "excludes_context: {previous: ShopHours}")
    matcher = Matcher([skill.intents("en")])
    for before, taken in (("ShopHours", False), ("Greeting", True)):
        context = DialogState(previous_intent=before).context()
        assert (matcher.match("and on sunday", context=context) is not None) == taken
    caplog.set_level(logging.INFO, logger="voice.export.dialogflow")
    phrases = dialogflow_phrases(skill)
    assert [name for name in phrases if name.startswith("ShopHours")] == ["ShopHours"]
    assert not {"and on monday", "and on sunday"} & phrases["ShopHours"]
    assert "intent ShopHours (en): 4 sentences left out" in caplog.text
    shop_hours = intent(alexa_package(skill, "en-US").interaction_model, "ShopHours")
    assert {"{day}", "and on {day}"} <= set(shop_hours["samples"])


@pytest.mark.parametrize("previous", ["ShopHours", "[ShopHours, Greeting, Thanks]"])
def test_alexa_counts_each_sentence_left_out_once_whatever_contexts_its_block_allows(
    tmp_path: Path, previous: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A block that allows three previous intents gives each sentence three times (one per Dialogflow
    context intent); Alexa has no contexts and takes them as one sample, so the copies are no sentences
    left out. Left out is one of the two days of each template with {day}: alike once it is {day}."""
    caplog.set_level(logging.INFO, logger="voice.export.alexa_model")
    alexa_package(a_skill_with(tmp_path, f"{{previous: {previous}}}"), "en-US")
    assert "intent ShopHours: 3 sentences left out" in caplog.text


@pytest.mark.parametrize(
    "previous",
    [
        "ShopHours",
        "[ShopHours, Greeting]",
        "{value: ShopHours}",
        "{value: ShopHours, slot: true}",
        "{value: [ShopHours, Greeting], slot: after}",
        "null",
        "{slot: true}",
    ],
)
def test_a_follow_up_intent_holds_in_dialogflow_exactly_where_the_router_takes_it(
    tmp_path: Path, previous: str
) -> None:
    """Every form of ``requires_context`` the matcher reads gives input contexts the webhook sets in just
    the dialog states in which the matcher takes the sentence: ``{value: X, slot: true}`` was exported as a
    context named after the whole mapping, ``null`` as ``voice-previous-none``, which no turn ever sets."""
    from voice.nlu import Matcher

    skill = a_skill_with(tmp_path, f"{{previous: {previous}}}")
    files = dialogflow_agent(skill).files
    follow_ups = [
        files[name]["contexts"]
        for name in files
        if name.startswith("intents/ShopHours - ") and "_usersays_" not in name
    ]
    matcher = Matcher([skill.intents("en")])
    for before in ("ShopHours", "Greeting", "Thanks", None):
        context = DialogState(previous_intent=before).context()
        held = set(context_names(context))
        taken = matcher.match("and on sunday", context=context) is not None
        assert any(set(contexts) <= held for contexts in follow_ups) == taken, (before, follow_ups)


@pytest.mark.parametrize("dialog", ["ShopHours", "{value: ShopHours, slot: true}", "null", "{slot: true}"])
def test_alexa_hears_a_bare_answer_in_any_form_of_flow_context_only_as_the_slots_sample(
    tmp_path: Path, dialog: str
) -> None:
    skill = a_skill_with(tmp_path, f"{{dialog: {dialog}}}")
    shop_hours = intent(alexa_package(skill, "en-US").interaction_model, "ShopHours")
    assert "{day}" not in shop_hours["samples"] and "and on {day}" in shop_hours["samples"]
    (day,) = shop_hours["slots"]
    assert "{day}" in day["samples"]


def test_a_prompt_that_spells_a_slot_out_has_alexa_spell_its_value(tmp_path: Path) -> None:
    """``{{ order_number | spell }}`` spelled the reference: an alias "{ o r d e r _ n u m b e r }",
    which the export refused as an undeclared slot. A variant that changes the value is left out."""
    from voice.flow import Slot

    folder = tmp_path / "shop"
    (folder / "locales" / "en").mkdir(parents=True)
    (folder / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  TrackOrder:\n    data: [{sentences: ['where is order {order_number}']}]\n"
        "lists:\n  order_number: {values: [{in: a one two, out: A12}]}\n"
    )
    (folder / "locales" / "en" / "responses.yaml").write_text(
        "responses:\n  AskOrder: What is your order number?\n"
        "  ConfirmOrder:\n    - 'Order {{ order_number | spell }}, is that right?'\n"
        "    - 'Order {{ order_number | upper }}?'\n"
        "  ConfirmTrack: '<speak>Track order {{ order_number | spell }} &amp; tell you?</speak>'\n"
    )
    shop = Skill("shop", folder)
    shop.flow(
        "TrackOrder", slots=[Slot("order_number", "AskOrder", confirm="ConfirmOrder")], confirm="ConfirmTrack"
    )
    model = alexa_package(shop, "en-US").interaction_model
    prompts = {p["id"]: p["variations"] for p in model["interactionModel"]["prompts"]}
    spelled = '<say-as interpret-as="spell-out">{order_number}</say-as>'
    assert prompts["Confirm.Slot.TrackOrder.order_number"] == [
        {"type": "SSML", "value": f"<speak>Order {spelled}, is that right?</speak>"}
    ]
    assert prompts["Confirm.Intent.TrackOrder"] == [
        {"type": "SSML", "value": f"<speak>Track order {spelled} &amp; tell you?</speak>"}
    ]


def test_phrases_over_the_cap_are_left_out_of_the_agent_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Dialogflow takes at most ``MAX_PHRASES_PER_INTENT`` phrases per intent; the rest were dropped
    without a word, where the Alexa export counts its left-out samples."""
    from voice import Skill
    from voice.export.common import skill_intents
    from voice.export.dialogflow import MAX_PHRASES_PER_INTENT

    words = "(alpha|bravo|charlie|delta|echo|foxtrot|golf) (hotel|india|juliet|kilo|lima|mike|oscar)"
    templates = "".join(f"          - '{opening} {words}'\n" for opening in "abcdefghijkl")
    folder = tmp_path / "chatty"
    (folder / "locales" / "en").mkdir(parents=True)
    (folder / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  Chatty:\n    data:\n      - sentences:\n" + templates
    )
    skill = Skill("chatty", folder)
    (chatty,) = skill_intents(skill, "en")
    over = len(chatty.sentences) - MAX_PHRASES_PER_INTENT
    assert over > 0
    caplog.set_level(logging.INFO, logger="voice.export.dialogflow")
    assert len(dialogflow_phrases(skill)["Chatty"]) == MAX_PHRASES_PER_INTENT
    assert f"intent Chatty (en): {over} sentences left out (over the cap" in caplog.text


def test_a_flows_block_with_fixed_slots_is_a_dialog_intent_on_alexa_too(tmp_path: Path) -> None:
    """The block's own intent (``BookTable__party_two``) is the flow's: without its dialog model Alexa
    refuses the webhook's ``Dialog.ElicitSlot`` for the flow's next slot."""
    folder = tmp_path / "tables"
    (folder / "locales" / "en").mkdir(parents=True)
    (folder / "__init__.py").write_text(
        "from voice import Skill, Slot\n\nskill = Skill('tables', __file__)\n"
        "skill.flow('BookTable', slots=[Slot('party', 'AskParty'), Slot('day', 'AskDay')])\n"
    )
    (folder / "locales" / "en" / "responses.yaml").write_text(
        "responses:\n  AskParty: For how many?\n  AskDay: On which day?\n"
    )
    (folder / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  BookTable:\n    data:\n"
        "      - sentences: ['book a table [for {party}] [on {day}]']\n"
        "      - sentences: ['a table for the two of us [on {day}]']\n        slots: {party: 2}\n"
        "lists:\n  party: {range: {from: 1, to: 8}}\n  day: {values: [monday, sunday]}\n"
    )
    model = alexa_package(load_skill(folder), "en-US").interaction_model["interactionModel"]
    assert check_interaction_model({"interactionModel": model}) == []
    dialog = {intent["name"]: intent for intent in model["dialog"]["intents"]}
    assert set(dialog) == {"BookTable", "BookTable__party_two"}
    assert dialog["BookTable__party_two"]["slots"] == dialog["BookTable"]["slots"]
    samples = intent({"interactionModel": model}, "BookTable__party_two")["samples"]
    assert set(samples) == {"a table for the two of us", "a table for the two of us on {day}"}


@pytest.mark.parametrize("intent", ["SetFloor", "Set_", "set_floor_"])
def test_an_alexa_intent_of_fixed_slots_is_read_back_as_its_intent_and_tag(intent: str) -> None:
    """A tag never holds "__" (``fixed_tag`` joins with one "_"), but an intent may end in "_": read at
    the first "__", ``Set___floor_one`` was intent ``Set`` with tag ``_floor_one``, which no block has."""
    tag = fixed_tag({"floor": 1})
    assert fixed_of(fixed_intent(intent, tag)) == (intent, tag) == (intent, "floor_one")


def test_an_intent_whose_every_block_fixes_slots_has_no_empty_alexa_intent(tmp_path: Path) -> None:
    """ "first floor" and "second floor" each fix the floor: the intent itself has no sentence left, and
    was exported as ``SetFloor`` without samples beside its two blocks' intents."""
    folder = tmp_path / "lift"
    (folder / "locales" / "en").mkdir(parents=True)
    (folder / "locales" / "en" / "intents.yaml").write_text(
        "language: en\nintents:\n  SetFloor:\n    data:\n"
        "      - sentences: ['first floor']\n        slots: {floor: 1}\n"
        "      - sentences: ['second floor']\n        slots: {floor: 2}\n"
    )
    (folder / "locales" / "en" / "responses.yaml").write_text("responses:\n  SetFloor: Going up.\n")
    model = alexa_package(Skill("lift", folder), "en-US").interaction_model
    names = {found["name"] for found in model["interactionModel"]["languageModel"]["intents"]}
    assert {"SetFloor__floor_one", "SetFloor__floor_two"} <= names and "SetFloor" not in names
    assert check_interaction_model(model) == []
