"""The skill's store texts (locales/<lang>/skill.yaml) and wildcard examples in the exports (issue 16, 6)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hassil import Intents

from voice import load_skill
from voice.cli import cli
from voice.errors import SkillError
from voice.export import alexa_package, dialogflow_agent
from voice.nlu import IntentSet, Matcher, TemplateError, sample_sentences
from voice.platform_contexts import read_exported

_INTENTS = """language: {language}
intents:
  Hours:
    data:
      - sentences:
          - "{hours}"
"""

ENDPOINT = "https://voice.example.org/alexa"
"""A real address: without one the export warns that the manifest has a placeholder."""


def _skill(root: Path, name: str, info: dict[str, Any] | None = None) -> Path:
    """A one-intent skill named ``name`` in en and nl, with ``info`` as both skill.yaml files."""
    folder = root / name
    (folder / "locales" / "en").mkdir(parents=True)
    (folder / "locales" / "nl").mkdir(parents=True)
    (folder / "__init__.py").write_text(
        f'"""Het loket van de gemeente."""\nfrom voice import Skill\nskill = Skill("{name}", __file__)\n'
    )
    for language, hours in (("en", "when are you open"), ("nl", "wanneer zijn jullie open")):
        (folder / "locales" / language / "intents.yaml").write_text(
            _INTENTS.format(language=language, hours=hours)
        )
        if info is not None:
            (folder / "locales" / language / "skill.yaml").write_text(yaml.safe_dump(info))
    return folder


def _export(folder: Path, out: Path, *extra: str) -> tuple[Any, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["export", "alexa", str(folder), "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "skill-package" / "skill.json").read_text())["manifest"]
    return result, manifest


def test_a_one_word_skill_without_skill_yaml_is_warned_about(tmp_path: Path) -> None:
    result, manifest = _export(_skill(tmp_path, "loket"), tmp_path / "out")
    assert (
        "invocation name 'loket desk' was made from the skill's name (Alexa needs two words" in result.output
    )
    assert "choose one with 'invocation:' in locales/en/skill.yaml or with --invocation-name" in result.output
    assert "locales/en/skill.yaml is missing" in result.output
    # the fallback is the docstring, whatever its language; the warning says so
    assert manifest["publishingInformation"]["locales"]["en-US"]["summary"] == "Het loket van de gemeente."


def test_skill_yaml_gives_the_manifest_and_the_invocation_name(tmp_path: Path) -> None:
    info = {
        "invocation": "town hall desk",
        "name": "Town Hall",
        "summary": "Opening hours of the town hall.",
        "description": "Ask when the town hall is open.",
        "examples": ["when are you open"],
        "keywords": ["town hall"],
    }
    folder = _skill(tmp_path, "raadhuis", info)
    result, manifest = _export(folder, tmp_path / "out", "-l", "en-GB", "--endpoint", ENDPOINT)
    assert "warning" not in result.output and "invocation name 'town hall desk'" in result.output
    locale = manifest["publishingInformation"]["locales"]["en-GB"]
    assert locale == {
        "name": "Town Hall",
        "summary": "Opening hours of the town hall.",
        "description": "Ask when the town hall is open.",
        "examplePhrases": ["Alexa, open town hall desk", "Alexa, ask town hall desk when are you open"],
        "keywords": ["town hall"],
    }
    # the command line still wins over the file
    result, _ = _export(folder, tmp_path / "out2", "--invocation-name", "city hall")
    assert "invocation name 'city hall'" in result.output


def test_example_phrases_the_skill_does_not_understand_are_warned_about(tmp_path: Path) -> None:
    folder = _skill(tmp_path, "stadhuis", {"invocation": "city hall", "examples": ["order a pizza"]})
    result, _ = _export(folder, tmp_path / "out")
    assert (
        "example phrase 'order a pizza' of locales/en/skill.yaml matches none of the skill's templates"
        in (result.output)
    )


def test_a_wrong_key_in_skill_yaml_is_named(tmp_path: Path) -> None:
    skill = load_skill(_skill(tmp_path, "gemeentehuis", {"invocation_name": "city hall"}))
    with pytest.raises(SkillError, match="unknown key 'invocation_name'; the keys are invocation, name"):
        skill.info("en")


@pytest.mark.parametrize("labels", [["datum"], {"date": ""}, {"date": ["datum"]}])
def test_slot_labels_of_the_wrong_form_are_one_sentence(tmp_path: Path, labels: object) -> None:
    skill = load_skill(_skill(tmp_path, "gemeentehuis", {"slot_labels": labels}))
    with pytest.raises(SkillError, match="'slot_labels' must map slot names to texts, like slot_labels:"):
        skill.info("nl")


@pytest.mark.parametrize("labels", [["afspraak"], {"BookAppointment": " "}, {"BookAppointment": 3}])
def test_flow_labels_of_the_wrong_form_are_one_sentence(tmp_path: Path, labels: object) -> None:
    skill = load_skill(_skill(tmp_path, "gemeentehuis", {"flow_labels": labels}))
    with pytest.raises(SkillError, match="'flow_labels' must map flow intents to texts, like flow_labels:"):
        skill.info("nl")


def test_the_shipped_skill_has_english_and_dutch_texts() -> None:
    skill = load_skill("customer_service")
    english, dutch = skill.info("en-US"), skill.info("nl-NL")
    assert english.invocation == dutch.invocation == "city shop service"
    assert english.summary and english.summary.startswith("Opening hours")
    assert dutch.summary and dutch.summary.startswith("Openingstijden")
    manifest = alexa_package(skill, "en-US").manifest["manifest"]["publishingInformation"]["locales"]["en-US"]
    assert manifest["summary"] == english.summary and manifest["description"] == english.description


@pytest.mark.parametrize(("default", "words"), [("en", "Ask when the shop is open"), ("nl", "Vraag wanneer")])
def test_the_dialogflow_agent_describes_itself_in_its_default_language(default: str, words: str) -> None:
    skill = load_skill("customer_service")
    languages = (default, *(language for language in skill.languages if language != default))
    agent = dialogflow_agent(skill, languages=languages).files["agent.json"]
    assert agent["description"].startswith(words) and len(agent["description"]) <= 500
    assert agent["shortDescription"] == skill.info(default).summary
    assert agent["examples"].splitlines() == list(skill.info(default).examples)
    # the store name of skill.yaml, as the Alexa manifest has it, not the folder's "customer_service"
    assert agent["displayName"] == skill.info(default).name == f"City Shop {_SERVICE[default]}"


_SERVICE = {"en": "Customer Service", "nl": "Klantenservice"}


def _phrases(files: dict[str, Any], intent: str, language: str) -> list[str]:
    """The intent's phrases, those said only in a flow (an intent of their own) too."""
    return ["".join(part["text"] for part in p["data"]) for p in _training(files, intent, language)]


def _training(files: dict[str, Any], intent: str, language: str) -> list[dict[str, Any]]:
    suffix = f"_usersays_{language}.json"
    return [
        phrase
        for key, phrases in files.items()
        if key.startswith("intents/")
        and key.endswith(suffix)
        and read_exported(key.removeprefix("intents/").removesuffix(suffix))[0] == intent
        for phrase in phrases
    ]


@pytest.mark.parametrize(
    ("language", "number", "name", "filler"),
    [
        ("en", "twelve thirty four", "maria garcia", "groceries"),
        ("nl", "tweeënveertig", "sanne bakker", "boodschappen"),
    ],
)
def test_dialogflow_training_phrases_use_the_wildcard_examples(
    language: str, number: str, name: str, filler: str
) -> None:
    files = dialogflow_agent(load_skill("customer_service")).files
    orders = _phrases(dict(files), "OrderStatus", language)
    assert any(phrase.endswith(number) for phrase in orders)
    names = _phrases(dict(files), "BookAppointment", language)
    assert any(name in phrase for phrase in names)
    said = [
        part["text"]
        for key in files
        if key.endswith(f"_usersays_{language}.json")
        for p in files[key]
        for part in p["data"]
    ]
    assert said and not [text for text in said if filler in text]
    annotated = [
        part
        for p in _training(dict(files), "OrderStatus", language)
        for part in p["data"]
        if part.get("alias") == "order_number"
    ]
    assert annotated and all(part["meta"] == "@sys.any" for part in annotated)


_WILDCARDS = """language: en
intents:
  Note:
    data:
      - sentences:
          - "remind me to {task}"
          - "write down {thing}"
lists:
  task:
    wildcard: true
    examples:
      - call the plumber
      - buy stamps
  thing:
    wildcard: true
"""


def test_samples_take_the_examples_and_keep_the_filler_without_them(tmp_path: Path) -> None:
    intents = IntentSet.from_dict(yaml.safe_load(_WILDCARDS), skill="notes")
    texts = {sample.text for sample in sample_sentences(Matcher([intents]), "Note", limit=10)}
    assert {"remind me to call the plumber", "remind me to buy stamps", "write down groceries"} == texts
    match = Matcher([intents]).match("remind me to water the plants")
    assert match is not None and match.slots["task"].value == "water the plants"  # matching ignores them


def test_home_assistant_tools_still_load_a_file_with_examples() -> None:
    parsed = Intents.from_dict(yaml.safe_load(_WILDCARDS))
    assert set(parsed.slot_lists) == {"task", "thing"}


@pytest.mark.parametrize("examples", ["[]", "[{a: b}]", "{call: plumber}"])
def test_examples_that_are_no_phrases_are_refused(examples: str) -> None:
    broken = _WILDCARDS.replace(
        "    examples:\n      - call the plumber\n      - buy stamps\n", f"    examples: {examples}\n"
    )
    with pytest.raises(TemplateError, match=r"'examples' of list \{task\} must be a list of phrases"):
        IntentSet.from_dict(yaml.safe_load(broken), skill="notes")


def test_voice_init_writes_store_texts_that_export_without_warnings(tmp_path: Path) -> None:
    assert CliRunner().invoke(cli, ["init", "city_hall", "--into", str(tmp_path)]).exit_code == 0
    folder = tmp_path / "city_hall"
    result, manifest = _export(folder, tmp_path / "out", "--endpoint", ENDPOINT)
    assert "warning" not in result.output and "invocation name 'city hall'" in result.output
    assert manifest["publishingInformation"]["locales"]["en-US"]["name"] == "City Hall"
    dutch = load_skill(folder).info("nl")
    assert dutch.invocation == "city hall" and dutch.summary == "Openingstijden en een afspraak maken."
    one_word = CliRunner().invoke(cli, ["init", "dorpshuis", "--into", str(tmp_path)])
    assert (
        one_word.exit_code == 0
        and load_skill(tmp_path / "dorpshuis").info("en").invocation == "dorpshuis service"
    )


def test_both_exports_warn_on_stderr_when_skill_yaml_is_missing(tmp_path: Path) -> None:
    """docs/skills.md says the exports warn; only ``export alexa`` did."""
    folder = _skill(tmp_path, "balie")
    alexa = CliRunner().invoke(cli, ["export", "alexa", str(folder), "-o", str(tmp_path / "alexa")])
    agent = tmp_path / "agent.zip"
    dialogflow = CliRunner().invoke(cli, ["export", "dialogflow", str(folder), "-o", str(agent)])
    assert alexa.exit_code == dialogflow.exit_code == 0, (alexa.output, dialogflow.output)
    missing = "warning: locales/en/skill.yaml is missing: the name and descriptions the platform shows come"
    assert missing in alexa.stderr and missing in dialogflow.stderr
    dutch = CliRunner().invoke(
        cli, ["export", "dialogflow", str(folder), "-o", str(agent), "--default-language", "nl"]
    )
    assert "warning: locales/nl/skill.yaml is missing" in dutch.stderr
    with_texts = _skill(tmp_path / "with", "balie_info", {"name": "Balie", "summary": "De balie."})
    webhook = ["--webhook-url", "https://voice.example.org/dialogflow"]
    quiet = CliRunner().invoke(cli, ["export", "dialogflow", str(with_texts), "-o", str(agent), *webhook])
    assert quiet.exit_code == 0 and quiet.stderr == ""


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (
            ["alexa", "--endpoint", "http://voice.example.com/alexa"],
            "--endpoint 'http://voice.example.com/alexa'",
        ),
        (["alexa", "--endpoint", "voice.example.com/alexa"], "--endpoint 'voice.example.com/alexa'"),
        (["dialogflow", "--webhook-url", "ftp://x"], "--webhook-url 'ftp://x'"),
        (["dialogflow", "--webhook-url", "https://"], "--webhook-url 'https://'"),
    ],
)
def test_an_address_that_is_not_https_is_refused(tmp_path: Path, arguments: list[str], words: str) -> None:
    """Alexa and Dialogflow ES call HTTPS endpoints only; the exports wrote other addresses silently."""
    kind, *options = arguments
    out = tmp_path / ("alexa" if kind == "alexa" else "agent.zip")
    result = CliRunner().invoke(cli, ["export", kind, "customer_service", "-o", str(out), *options])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.output.startswith(f"error: {words} is not an HTTPS address, and ")
    assert result.output.count("\n") == 1 and not out.exists()
