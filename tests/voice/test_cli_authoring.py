"""Commands for skill authors (issue 16): voice init, chat --debug and --now, parse --expect, samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from voice import load_skill
from voice.cli import cli
from voice.testing import load_script


def test_init_makes_a_skill_that_passes_test_and_check_at_once(tmp_path: Path) -> None:
    created = CliRunner().invoke(cli, ["init", "gemeente", "--into", str(tmp_path)])
    assert created.exit_code == 0, created.output
    folder = tmp_path / "gemeente"
    for path in (
        "__init__.py",
        "locales/nl/intents.yaml",
        "locales/en/responses.yaml",
        "knowledge/nl/faq.yaml",
    ):
        assert (folder / path).is_file()
    tested = CliRunner().invoke(cli, ["test", str(folder)])
    assert tested.exit_code == 0 and "2 passed, 0 failed" in tested.output, tested.output
    checked = CliRunner().invoke(cli, ["check", str(folder)])
    assert checked.exit_code == 0 and "PROBLEM" not in checked.output, checked.output
    assert "builtin/" not in checked.output, "the framework's own overlaps are not the author's to fix"
    assert "either_half" not in checked.output, "the template reads times as said (see the test below)"
    again = CliRunner().invoke(cli, ["init", "gemeente", "--into", str(tmp_path)])
    assert again.exit_code == 1 and "exists already" in again.output


def test_check_warns_of_the_either_half_reading_older_init_skills_have(tmp_path: Path) -> None:
    """``voice init`` wrote ``reading(time, day, either_half=True)`` before times kept their part of the
    day, so such a skill books "at 3 am" at 15:00; ``voice check`` names the line and the call to write."""
    assert CliRunner().invoke(cli, ["init", "oude_winkel", "--into", str(tmp_path)]).exit_code == 0
    code = tmp_path / "oude_winkel" / "__init__.py"
    written = code.read_text(encoding="utf-8")
    new_call = "return _hours().reading(time, day)\n"
    assert new_call in written, "voice init's template changed its reading: update this test"
    code.write_text(written.replace(new_call, "return _hours().reading(time, day, either_half=True)\n"))
    line = written[: written.index(new_call)].count("\n") + 1
    checked = CliRunner().invoke(cli, ["check", str(tmp_path / "oude_winkel")])
    assert checked.exit_code == 0, checked.output
    assert [warning for warning in checked.stderr.splitlines() if "either_half" in warning] == [
        f"warning: skill 'oude_winkel': {code} line {line} reads a time with reading(..., either_half=True), "
        'which books "at 3 am" and "om drie uur \'s nachts" at 15:00; write reading(time, day), as voice '
        "init does now (a time said without its part of the day comes within the hours)."
    ]


def test_the_scaffold_labels_its_flow_and_steps_for_the_dashboard(tmp_path: Path) -> None:
    """A new skill's author did not learn of flow_labels and slot_labels: the template has them, for every
    flow and slot, in both languages (``voice check`` above finds none of another name)."""
    assert CliRunner().invoke(cli, ["init", "gemeente", "--into", str(tmp_path)]).exit_code == 0
    skill = load_skill(tmp_path / "gemeente")
    slots = {slot.name for flow in skill.flows.values() for slot in flow.slots}
    dutch, english = skill.info("nl"), skill.info("en")
    assert (dutch.flow_labels, english.flow_labels) == (
        {"BookAppointment": "Afspraak maken"},
        {"BookAppointment": "Book an appointment"},
    )
    assert (
        set(dutch.slot_labels) == set(english.slot_labels) == slots and dutch.slot_labels["date"] == "datum"
    )


def test_the_scaffolds_faq_test_asks_a_question_from_the_faq(tmp_path: Path) -> None:
    """A script named for the FAQ shows a question answered from it in the middle of the booking."""
    assert CliRunner().invoke(cli, ["init", "gemeente", "--into", str(tmp_path)]).exit_code == 0
    folder = tmp_path / "gemeente"
    script = load_script(folder / "tests" / "booking_en.yaml")
    (entry,) = yaml.safe_load((folder / "knowledge" / "en" / "faq.yaml").read_text())
    assert "FAQ" in script.name
    replies = [str(turn.expected.get("reply", "")) for turn in script.turns]
    assert any(reply.startswith(entry["answer"]) for reply in replies), replies


def test_a_conversation_in_which_the_skill_failed_does_not_pass(tmp_path: Path) -> None:
    """The caller hears an apology, which a script that does not check the reply lets through: a
    response using a variable no turn gives it (docs/skills.md's old example) fails the test, and a
    reply pattern that is no regular expression is one sentence, not a traceback."""
    assert CliRunner().invoke(cli, ["init", "gemeente", "--into", str(tmp_path)]).exit_code == 0
    folder = tmp_path / "gemeente"
    responses = folder / "locales" / "en" / "responses.yaml"
    responses.write_text(
        responses.read_text().replace(
            '"We are open Monday to Friday, from 9 to 5."', '"We open at {{ hours.monday.open }}."'
        )
    )
    for script in (folder / "tests").glob("*.yaml"):
        script.unlink()
    (folder / "tests" / "hours.yaml").write_text(
        "locale: en\nturns:\n  - user: when are you open\n    intent: OpeningHours\n"
    )
    tested = CliRunner().invoke(cli, ["test", str(folder)])
    assert tested.exit_code == 1 and "0 passed, 1 failed" in tested.output, tested.output
    assert "turn 1 ('when are you open'): the skill failed" in tested.output
    assert "'hours' is undefined" in tested.output
    (folder / "tests" / "hours.yaml").write_text(
        "locale: en\nturns:\n  - user: when are you open\n    reply: /We open(/\n"
    )
    tested = CliRunner().invoke(cli, ["test", str(folder)])
    assert tested.exit_code == 1 and "Traceback" not in tested.output
    assert "line 4: reply: /We open(/ is not a regular expression (missing ), unterminated subpattern" in (
        tested.output
    ), tested.output


def test_init_refuses_a_name_that_is_no_module_name(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", "Mijn Gemeente", "--into", str(tmp_path)])
    assert result.exit_code == 1 and result.output.startswith("error: 'Mijn Gemeente' is no skill name")


def test_chat_debug_shows_what_was_understood_and_now_sets_the_clock() -> None:
    result = CliRunner().invoke(
        cli,
        [
            "chat",
            "-l",
            "nl",
            "--memory",
            "--debug",
            "--now",
            "2026-11-27T10:00",
            "--skill",
            "customer_service",
        ],
        input="ik wil een afspraak maken\nmorgen\nblabla\n",
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "intent BookAppointment (customer_service), score 1.00" in lines[1]
    assert "answered by flow BookAppointment of customer_service" in lines[1]
    assert '"value": "2026-11-28"' in lines[3]  # a Friday: "morgen" is Saturday, when the shop is open
    assert lines[2] == "Hoe laat?"  # not "closed that day"
    assert "no intent; answered by" in lines[-1]


@pytest.mark.parametrize(
    ("locale", "said", "debug"),
    [
        (
            "en",
            "this is useless, you don't understand me",
            "  [no intent; answered by a handoff for irritation]",
        ),
        ("nl", "waar is mijn bestelling, dit is belachelijk", "answered by a handoff for irritation]"),
        ("nl", "mag ik een medewerker spreken", "answered by a handoff for the caller's request]"),
    ],
    ids=["en-irritation", "nl-irritation-in-an-intent", "nl-asked"],
)
def test_chat_debug_names_a_handoff_and_its_reason(locale: str, said: str, debug: str) -> None:
    """An irritation handoff said "answered by knowledge (or another answerer)", or by the flow its words
    matched: irritation hands over on the words alone."""
    result = CliRunner().invoke(
        cli, ["chat", "-l", locale, "--memory", "--debug", "--skill", "customer_service"], input=f"{said}\n"
    )
    assert result.exit_code == 0, result.output
    reply, explained = result.stdout.splitlines()  # the log's "no handoff sink" follows on stderr
    assert reply.startswith(("Sorry, I can't put you through", "Sorry, ik kan u nu niet"))  # no sink
    assert explained.endswith(debug), explained


@pytest.mark.parametrize(
    ("locale", "goodbye", "said"),
    [("en", "bye", "Goodbye, and thank you."), ("nl", "doei", "Tot ziens, en dank u wel.")],
)
def test_a_typed_chat_is_not_thanked_for_calling(locale: str, goodbye: str, said: str) -> None:
    result = CliRunner().invoke(
        cli, ["chat", "-l", locale, "--memory", "--skill", "customer_service"], input=f"{goodbye}\n"
    )
    assert result.exit_code == 0 and result.output.splitlines() == [said], result.output


def test_parse_expect_reads_a_sentence_as_the_answer_to_a_flow_question() -> None:
    plain = CliRunner().invoke(cli, ["parse", "om drie", "-l", "nl"])
    assert plain.exit_code == 1  # on its own it is nobody's intent
    result = CliRunner().invoke(cli, ["parse", "om drie", "-l", "nl", "--expect", "time"])
    match = json.loads(result.output)
    assert match["intent"] == "BookAppointment" and match["slots"]["time"]["value"] == "15:00:00"
    unknown = CliRunner().invoke(cli, ["parse", "x", "--expect", "colour"])
    assert unknown.exit_code == 1 and "no flow asks for slot 'colour'" in unknown.output


def test_samples_prints_the_sentences_a_skills_templates_generate() -> None:
    result = CliRunner().invoke(
        cli, ["samples", "customer_service", "-l", "nl", "--intent", "OpeningHours", "-n", "5"]
    )
    lines = result.output.splitlines()
    assert result.exit_code == 0 and len(lines) == 5
    assert all(line.startswith("OpeningHours: ") for line in lines) and len(set(lines)) == 5
    every = CliRunner().invoke(cli, ["samples", "customer_service", "-l", "en", "-n", "20"])
    assert (
        len(every.output.splitlines()) == 20
        and len({line.split(":")[0] for line in every.output.splitlines()}) > 1
    )
