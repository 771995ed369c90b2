"""``voice parse`` and ``voice chat`` as a user runs them."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from booking_api import serving_booking_api
from click.testing import CliRunner
from conftest import bare_terminal

from voice.analytics.team import texts
from voice.cli import cli
from voice.knowledge import KnowledgeBase


def test_parse_dutch_home_assistant_with_a_kitchen() -> None:
    result = CliRunner().invoke(
        cli,
        ["parse", "doe de lampen in de keuken aan", "-l", "nl", "--home-assistant", "--list", "area=keuken"],
    )
    match = json.loads(result.output)
    assert result.exit_code == 0 and match["intent"] == "HassTurnOn"
    assert match["slots"]["area"]["value"] == "keuken" and match["slots"]["domain"]["value"] == "light"


def test_parse_the_customer_service_skill_in_dutch() -> None:
    result = CliRunner().invoke(cli, ["parse", "waar is bestelling een twee drie vier", "-l", "nl"])
    match = json.loads(result.output)
    assert (match["intent"], match["skill"]) == ("OrderStatus", "customer_service")
    assert match["slots"]["order_number"]["text"] == "een twee drie vier"


def test_parse_reads_a_sentence_as_a_conversation_reads_it() -> None:
    """Without "eh", and a request for a person after venting: what ``voice chat`` understands."""
    for text, intent in (("eh ja", "Yes"), ("dit is belachelijk ik wil een mens spreken", "TalkToAgent")):
        result = CliRunner().invoke(cli, ["parse", text, "-l", "nl", "--all"])
        assert result.exit_code == 0 and json.loads(result.output)["intent"] == intent, text


def test_parse_without_a_match_exits_one() -> None:
    result = CliRunner().invoke(cli, ["parse", "completely unrelated words", "-l", "en"])
    assert result.exit_code == 1 and json.loads(result.output)["intent"] is None


def test_parse_refuses_a_malformed_list_value() -> None:
    result = CliRunner().invoke(cli, ["parse", "x", "--list", "keuken"])
    assert result.exit_code == 1 and "is not NAME=VALUE" in result.output


def test_chat_answers_each_line_in_dutch_and_english() -> None:
    dutch = CliRunner().invoke(
        cli, ["chat", "-l", "nl"], input="wat zijn jullie openingstijden\nhoe kan ik u bereiken\n"
    )
    assert dutch.exit_code == 0
    lines = dutch.output.strip().splitlines()
    assert lines[0].startswith("We zijn maandag tot en met vrijdag open") and "020 123 4567" in lines[1]
    english = CliRunner().invoke(cli, ["chat", "-l", "en"], input="what can you do\n")
    assert english.output.startswith("I can tell you our opening hours")


_NL_MONTHS = "januari februari maart april mei juni juli augustus september oktober november december"


def test_chat_shows_order_and_booking_numbers_as_written(tmp_path: Path) -> None:
    """Typed chat showed the speech's spelling, spaced for a voice: "Bestelling 5 6 7 8", "B 1"."""
    day = dt.date.today() + dt.timedelta(days=2)
    while day.weekday() > 4:  # a weekday at least two days ahead: open and bookable
        day += dt.timedelta(days=1)
    month = _NL_MONTHS.split()[day.month - 1]
    said = {
        "nl": f"waar is bestelling 5678|ik wil een afspraak maken|op {day.day} {month}|om tien uur"
        "|Els de Vries|ja|advies|ja",
        "en": f"where is order 5678|I'd like to book an appointment|on {day:%B} {day.day}|at 10 am|Anna Smith"
        "|yes|a return|yes",
    }
    shown = {
        "nl": ("Bestelling 5678 wordt klaargemaakt.", "Uw boekingsnummer is B1."),
        "en": ("Order 5678 is being prepared.", "Your booking number is B1."),
    }
    for language in ("nl", "en"):
        with serving_booking_api() as (_, url):
            config = tmp_path / f"{language}.toml"
            config.write_text(
                f'skills = ["customer_service"]\n[skill.customer_service]\nbooking_url = "{url}"\n'
            )
            lines = said[language].replace("|", "\n") + "\n"
            result = CliRunner().invoke(
                cli, ["--config", str(config), "chat", "-l", language, "--memory"], input=lines
            )
        replies = result.output.splitlines()
        assert replies[0].startswith(shown[language][0]), result.output
        assert replies[-1].endswith(shown[language][1]), result.output


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_a_booking_failure_logged_in_a_dutch_chat_stays_out_of_the_conversation(
    tmp_path: Path, debug: bool
) -> None:
    """The log's English line showed between the Dutch replies; it follows the conversation (with
    ``--debug``: the turn's debug line), marked as the log's."""
    lines = (
        "maak een afspraak voor morgen om tien uur|ik heet els|ja|advies|ja|wat zijn jullie openingstijden"
    )
    with serving_booking_api() as (api, url), bare_terminal():
        api.mode = "refuse"
        config = tmp_path / "voice.toml"
        config.write_text(f'skills = ["customer_service"]\n[skill.customer_service]\nbooking_url = "{url}"\n')
        command = ["--config", str(config), "chat", "-l", "nl", "--memory", "--now", "2026-11-23T10:00"]
        result = CliRunner().invoke(cli, command + ["--debug"] * debug, input=lines.replace("|", "\n") + "\n")
    assert result.exit_code == 0, result.output
    shown = [line for line in result.output.splitlines() if not line.startswith("  [")]  # debug lines
    refused = next(i for i, line in enumerate(shown) if line.startswith("Sorry, ik kon de afspraak niet"))
    logged = shown.index(next(line for line in shown if "booking of session" in line))
    assert shown[logged].startswith("log: booking of session") and "(HTTP 409)" in shown[logged]
    assert logged == (refused + 1 if debug else len(shown) - 1), result.output
    assert shown[refused + 1 + debug].startswith("We zijn maandag"), result.output


def _skill_folder(root, name: str, sentences: list[str], lists: str = "") -> str:  # type: ignore[no-untyped-def]
    folder = root / name
    (folder / "locales" / "en").mkdir(parents=True)
    (folder / "__init__.py").write_text(f"from voice import Skill\nskill = Skill({name!r}, __file__)\n")
    body = "".join(f"        - {s!r}\n" for s in sentences)
    (folder / "locales" / "en" / "intents.yaml").write_text(
        f"language: en\nintents:\n  Thief:\n    data:\n      - sentences:\n{body}{lists}"
    )
    (folder / "locales" / "en" / "responses.yaml").write_text('responses:\n  Thief: "Mine now."\n')
    return str(folder)


def test_check_reports_a_skill_stealing_another_skills_sentences(tmp_path) -> None:  # type: ignore[no-untyped-def]
    thief = _skill_folder(tmp_path, "thief", ["what can you do", "when do you open"])
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["customer_service", "{thief}"]\n')
    result = CliRunner().invoke(cli, ["check", "-l", "en", "--config", str(config)])
    assert result.exit_code == 1
    assert "ACROSS SKILLS: 'what can you do'" in result.output and "thief/Thief" in result.output


def test_check_reports_templates_that_never_match(tmp_path) -> None:  # type: ignore[no-untyped-def]
    lonely = _skill_folder(tmp_path, "lonely", ["call {person}"], lists="lists:\n  person:\n    values: []\n")
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["{lonely}"]\n')
    result = CliRunner().invoke(cli, ["check", "--config", str(config)])
    assert result.exit_code == 1 and (
        "  NEVER MATCHES: lonely/Thief 'call {person}': no sentence can be generated: a list is empty or no "
        "value fits the context" in result.stdout.splitlines()
    ), result.output
    filled = CliRunner().invoke(cli, ["check", "--config", str(config), "--list", "person=anna"])
    assert filled.exit_code == 0, filled.output


def test_a_dutch_team_reads_the_table_of_conflicts_in_dutch(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The counts, "ACROSS SKILLS" and "NEVER MATCHES" with its reason were English to a Dutch team."""
    thief = _skill_folder(
        tmp_path, "thief", ["what can you do", "call {person}"], "lists:\n  person:\n    values: []\n"
    )
    config = tmp_path / "voice.toml"
    config.write_text(f'skills = ["customer_service", "{thief}"]\n[insights]\nlanguage = "nl"\n')
    result = CliRunner().invoke(cli, ["check", "-l", "en", "--config", str(config)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert re.fullmatch(
        r"en: \d+ voorbeeldzinnen, [1-9]\d* geclaimd door meer dan één intent, 1 template die nooit "
        "kan matchen",
        lines[0],
    ), lines[0]
    one = {
        "language": "en",
        "sentences": 1,
        "conflicts": 0,
        "dead": 1,
    }  # was "1 sample sentences", "1 templates"
    assert texts("en", "commands")("conflicts_head", **one) == (
        "en: 1 sample sentence, 0 claimed by more than one intent, 1 template that can never match"
    )
    assert any(line.startswith("  TUSSEN SKILLS: 'what can you do'") for line in lines), lines
    assert lines[-1] == (
        "  MATCHT NOOIT: thief/Thief 'call {person}': er kan geen zin worden gemaakt: een lijst is leeg of "
        "geen waarde past bij de context"
    )


def test_check_runs_over_home_assistant_in_both_languages() -> None:
    home = [
        "--list",
        "area=keuken",
        "--list",
        "area=kitchen",
        "--list",
        "name=plafondlamp",
        "--list",
        "floor=zolder",
    ]
    result = CliRunner().invoke(cli, ["check", "--home-assistant", "-l", "nl", "-l", "en", *home])
    lines = result.output.splitlines()
    assert any(line.startswith("nl: ") for line in lines) and any(line.startswith("en: ") for line in lines)
    assert "NEVER MATCHES" not in result.output
    assert "ACROSS SKILLS" in result.output, (
        "the shipped skill and Home Assistant both claim 'what can you do'"
    )


def test_chat_speaks_the_replies_into_wav_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from speech import audio

    result = CliRunner().invoke(cli, ["chat", "-l", "nl", "--speak-to", str(tmp_path)], input="wat kun je\n")
    assert result.exit_code == 0
    spoken = audio.read_wav(tmp_path / "reply-001.wav")
    assert audio.duration(spoken) > 3 and audio.level_dbfs(spoken) > -30


def test_chat_speak_without_a_speaker_suggests_files() -> None:
    result = CliRunner().invoke(cli, ["chat", "--speak"], input="hello\n")
    assert result.exit_code == 1 and "use --speak-to FOLDER" in result.output


def _dutch_only(tmp_path) -> str:  # type: ignore[no-untyped-def]
    """A Dutch team's config: it serves nl only."""
    config = tmp_path / "voice.toml"
    config.write_text(
        f'skills = ["customer_service"]\nlocales = ["nl"]\nstore = "sqlite:///{tmp_path}/s.db"\n'
    )
    return str(config)


def test_without_a_locale_the_commands_speak_the_configs_first_locale(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``echo hello | voice chat --memory`` of a Dutch-only team was "no skill speaks 'en'" (exit 2)."""
    config = _dutch_only(tmp_path)
    chat = CliRunner().invoke(cli, ["--config", config, "chat", "--memory"], input="hallo\n")
    assert chat.exit_code == 0 and chat.output.startswith("Hallo!"), chat.output
    parse = CliRunner().invoke(cli, ["parse", "waar is bestelling een twee drie vier", "--config", config])
    assert parse.exit_code == 0 and json.loads(parse.output)["intent"] == "OrderStatus", parse.output
    samples = CliRunner().invoke(
        cli, ["samples", "customer_service", "--intent", "OpeningHours", "--config", config]
    )
    assert samples.exit_code == 0 and "openingstijden" in samples.output, samples.output
    asked = CliRunner().invoke(cli, ["--config", config, "knowledge", "ask", "kan ik met ideal betalen"])
    assert asked.exit_code == 0 and "iDEAL" in asked.output, asked.output
    english = CliRunner().invoke(cli, ["parse", "where is order one two three four", "-l", "en"])
    assert json.loads(english.output)["intent"] == "OrderStatus"  # no locales: en, as before


def test_the_help_of_a_locale_option_names_its_default() -> None:
    for command in (["chat"], ["parse"], ["samples"], ["say"], ["knowledge", "ask"], ["review", "sentence"]):
        shown = CliRunner().invoke(cli, [*command, "--help"]).output
        assert "default: the config's first locale (locales = [...]), else en." in " ".join(shown.split()), (
            command
        )


class _NotingStdin(io.BytesIO):
    """Standard input that notes whether ``ready()`` holds when the command first reads a line."""

    def __init__(self, data: bytes, ready: Callable[[], bool]) -> None:
        super().__init__(data)
        self.ready = ready
        self.noted: list[bool] = []

    def read1(self, size: int = -1, /) -> bytes:
        self._note()
        return super().read1(size)

    def read(self, size: int | None = -1, /) -> bytes:
        if size != 0:  # click's check that this is a binary stream reads nothing
            self._note()
        return super().read(size)

    def _note(self) -> None:
        if not self.noted:
            self.noted.append(self.ready())


def test_chat_loads_the_knowledge_of_its_language_before_the_first_prompt(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The first knowledge question of each ``voice chat`` took 3 to 7 s (the embedding model and the index
    loading on first use), stored as its latency: ``voice report`` showed a p95 of 5,572 ms. The loading
    is now done before the first line is read, as ``voice serve`` does at its start."""
    name = f"warm_{tmp_path.name}".lower().replace("-", "_")
    assert CliRunner().invoke(cli, ["init", name, "--into", str(tmp_path)]).exit_code == 0
    folder = tmp_path / name
    assert not KnowledgeBase.stored_is_current(folder, "nl")  # the first question would build it
    stdin = _NotingStdin(
        b"waar kan ik mijn auto kwijt\n", lambda: KnowledgeBase.stored_is_current(folder, "nl")
    )
    result = CliRunner().invoke(cli, ["chat", "-l", "nl", "--memory", "--skill", str(folder)], input=stdin)
    assert result.exit_code == 0 and "gratis parkeergelegenheid" in result.output, result.output
    assert stdin.noted == [True]


def _team_config(tmp_path, language: str, skill: str) -> str:  # type: ignore[no-untyped-def]
    config = tmp_path / f"{language}.toml"
    store = f"sqlite:///{tmp_path}/{language}.db"
    config.write_text(f'skills = ["{skill}"]\nstore = "{store}"\n[insights]\nlanguage = "{language}"\n')
    return str(config)


@pytest.mark.parametrize(
    ("command", "dutch", "english"),
    [
        (
            ["serve", "--no-verify"],
            "fout: skill 'thief' heeft een handler voor intent 'Thef', maar geen template in "
            "{root}/locales/*/intents.yaml definieert dat; verbeter de naam (bedoelt u 'Thief'?) of voeg het "
            "intent toe.",
            "error: skill 'thief' has a handler for intent 'Thef', which no template in "
            "{root}/locales/*/intents.yaml defines; fix the name (did you mean 'Thief'?) or add the intent.",
        ),
        (
            ["test"],
            "fout: er zijn geen gespreksscripts in de map tests/ van {root}; schrijf er een (docs/skills.md, "
            "Conversation tests).",
            "error: no conversation scripts in the tests/ folder of {root}; write one (docs/skills.md, "
            "Conversation tests).",
        ),
        (
            ["parse", "hallo", "-l", "fr"],
            "fout: geen skill spreekt 'fr'; de geladen talen zijn en, nl.",
            "error: no skill speaks 'fr'; loaded languages: en, nl.",
        ),
        (
            ["run", "-l", "fr"],
            "fout: geen skill spreekt 'fr'; de geladen talen zijn en, nl.",
            "error: no skill speaks 'fr'; loaded languages: en, nl.",
        ),
        (
            ["export", "alexa", "thief", "--endpoint", "http://voice.example.org/alexa"],
            "fout: --endpoint 'http://voice.example.org/alexa' is geen HTTPS-adres, en Alexa roept alleen "
            "HTTPS aan; geef er een zoals https://voice.example.com/alexa.",
            "error: --endpoint 'http://voice.example.org/alexa' is not an HTTPS address, and Alexa calls "
            "only HTTPS; give one like https://voice.example.com/alexa.",
        ),
        (
            ["export", "alexa", "{root}/../thef"],
            "fout: er is geen skillmap {root}/../thef (bedoelt u {root}/../thief?); controleer het pad.",
            "error: there is no skill folder {root}/../thef (did you mean {root}/../thief?); check the path.",
        ),
        (
            ["report", "--skill", "weather"],
            "fout: er is geen skill 'weather' in de configuratie; kies een van thief (een naam of de map "
            "ervan).",
            "error: there is no skill 'weather' in the config; choose one of thief (a name or its folder).",
        ),
        (
            ["review", "out-of-scope", "hallo", "--skill", "weather"],
            "fout: er is geen skill 'weather' in de configuratie; kies een van thief (een naam of de map "
            "ervan).",
            "error: there is no skill 'weather' in the config; choose one of thief (a name or its folder).",
        ),
    ],
    ids=["serve", "test", "parse", "run", "export", "export-folder", "report", "review"],
)
def test_a_dutch_team_reads_the_commands_errors_in_dutch(  # type: ignore[no-untyped-def]
    tmp_path, command: list[str], dutch: str, english: str
) -> None:
    """voice serve, test, parse, run, export, report and review marked their errors "error:" in English
    sentences to a Dutch team; they are in [insights] language now, English unchanged."""
    root = _skill_folder(tmp_path, "thief", ["steal {thing}"], lists="lists:\n  thing: {wildcard: true}\n")
    (tmp_path / "thief" / "locales" / "nl").mkdir()
    for file in ("intents.yaml", "responses.yaml"):
        text = (tmp_path / "thief" / "locales" / "en" / file).read_text()
        (tmp_path / "thief" / "locales" / "nl" / file).write_text(
            text.replace("language: en", "language: nl")
        )
    if command[0] == "serve":
        with (tmp_path / "thief" / "__init__.py").open("a") as code:
            code.write("\n@skill.intent('Thef')\ndef thef(turn):\n    return skill.reply(turn, 'Thief')\n")
    args = [part.format(root=root) for part in command]
    for language, expected in (("nl", dutch), ("en", english)):
        result = CliRunner().invoke(cli, [*args, "--config", _team_config(tmp_path, language, root)])
        assert result.exit_code != 0, result.output
        assert result.stderr.splitlines()[-1] == expected.format(root=root), result.output
